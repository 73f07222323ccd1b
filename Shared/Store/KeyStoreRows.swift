import SignPeerPostgres

/// The `key_stores` rows: a `KeystoreInConfigCryptoToken`'s encrypted PKCS#12 bytes, by the id of
/// the worker holding the token, read and written inside the caller's transaction.
public enum KeyStoreRows {
    public static func load(holderID: Int, on connection: PostgresConnection) async throws -> [UInt8]? {
        try await connection.query(
            "SELECT pkcs12 FROM key_stores WHERE worker_id = $1", [.int(Int64(holderID))]
        ).first?.decode([UInt8].self, column: "pkcs12")
    }

    public static func save(_ bytes: [UInt8], holderID: Int, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO key_stores (worker_id, pkcs12, updated_at) VALUES ($1, $2, now())
            ON CONFLICT (worker_id) DO UPDATE SET pkcs12 = excluded.pkcs12, updated_at = now()
            """, [.int(Int64(holderID)), .bytes(bytes)])
    }
}
