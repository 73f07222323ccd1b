import SignPeerCore
import SignPeerPostgres

/// The rows of a `KeystoreInConfigCryptoToken` (migration 40), read and written inside the
/// caller's transaction: its key-derivation parameters and check value in `token_kdf`, and one
/// `token_keys` row per alias holding the private key sealed by the renewal service (AES-256-GCM
/// under the token's key-encryption key, token id and alias as associated data), the public key
/// and the certificate chain installed for the key. Sealing and opening are not done here.
public enum TokenKeyRows {
    /// How a token's key-encryption key is derived, and the value sealed under it that tells a
    /// wrong code.
    public struct Derivation: Sendable, Equatable {
        public var algorithm: String
        public var iterations: Int
        public var salt: [UInt8]
        public var checkValue: [UInt8]

        public init(algorithm: String, iterations: Int, salt: [UInt8], checkValue: [UInt8]) {
            self.algorithm = algorithm
            self.iterations = iterations
            self.salt = salt
            self.checkValue = checkValue
        }
    }

    /// One alias as stored.
    public struct SealedKey: Sendable, Equatable {
        public var alias: String
        public var sealedPrivateKey: [UInt8]
        public var publicKeyInfo: [UInt8]
        /// PEM, leaf first; nil when no chain was installed for the key.
        public var certificateChain: String?

        public init(alias: String, sealedPrivateKey: [UInt8], publicKeyInfo: [UInt8], certificateChain: String?) {
            self.alias = alias
            self.sealedPrivateKey = sealedPrivateKey
            self.publicKeyInfo = publicKeyInfo
            self.certificateChain = certificateChain
        }
    }

    public static func derivation(holderID: Int, on connection: PostgresConnection) async throws -> Derivation? {
        guard
            let row = try await connection.query(
                "SELECT algorithm, iterations, salt, check_value FROM token_kdf WHERE worker_id = $1",
                [.int(Int64(holderID))]
            ).first
        else { return nil }
        return Derivation(
            algorithm: try row.decode(String.self, column: "algorithm"),
            iterations: try row.decode(Int.self, column: "iterations"),
            salt: try row.decode([UInt8].self, column: "salt"),
            checkValue: try row.decode([UInt8].self, column: "check_value"))
    }

    public static func create(_ derivation: Derivation, holderID: Int, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "INSERT INTO token_kdf (worker_id, algorithm, iterations, salt, check_value) VALUES ($1, $2, $3, $4, $5)",
            [
                .int(Int64(holderID)), .text(derivation.algorithm), .int(Int64(derivation.iterations)),
                .bytes(derivation.salt), .bytes(derivation.checkValue),
            ])
    }

    /// Every key of the token (activation only).
    public static func keys(holderID: Int, on connection: PostgresConnection) async throws -> [SealedKey] {
        try await connection.query(
            """
            SELECT alias, sealed_private_key, public_key_info, certificate_chain FROM token_keys
            WHERE worker_id = $1 ORDER BY alias
            """, [.int(Int64(holderID))]
        ).map {
            SealedKey(
                alias: try $0.decode(String.self, column: "alias"),
                sealedPrivateKey: try $0.decode([UInt8].self, column: "sealed_private_key"),
                publicKeyInfo: try $0.decode([UInt8].self, column: "public_key_info"),
                certificateChain: try $0.decode(String?.self, column: "certificate_chain"))
        }
    }

    /// Writes one alias (a new key, or a new chain for an existing one).
    public static func upsert(_ key: SealedKey, holderID: Int, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO token_keys (worker_id, alias, sealed_private_key, public_key_info, certificate_chain)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (worker_id, alias) DO UPDATE SET sealed_private_key = excluded.sealed_private_key,
                public_key_info = excluded.public_key_info, certificate_chain = excluded.certificate_chain
            """,
            [
                .int(Int64(holderID)), .text(key.alias), .bytes(key.sealedPrivateKey), .bytes(key.publicKeyInfo),
                key.certificateChain.map { .text($0) } ?? .null,
            ])
    }

    public static func delete(_ alias: String, holderID: Int, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "DELETE FROM token_keys WHERE worker_id = $1 AND alias = $2", [.int(Int64(holderID)), .text(alias)])
    }
}
