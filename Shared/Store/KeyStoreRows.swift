import SignPeerPostgres

/// The `key_stores` rows: the encrypted PKCS#12 bytes that a `KeystoreInConfigCryptoToken` was
/// kept in before per-key storage (migration 40), by the id of the worker holding the token. They
/// are only read, to convert them at the token's next activation, and deleted in the transaction
/// that wrote their keys as ``TokenKeyRows``.
public enum KeyStoreRows {
    public static func load(holderID: Int, on connection: PostgresConnection) async throws -> [UInt8]? {
        try await connection.query(
            "SELECT pkcs12 FROM key_stores WHERE worker_id = $1", [.int(Int64(holderID))]
        ).first?.decode([UInt8].self, column: "pkcs12")
    }

    public static func delete(holderID: Int, on connection: PostgresConnection) async throws {
        try await connection.execute("DELETE FROM key_stores WHERE worker_id = $1", [.int(Int64(holderID))])
    }
}
