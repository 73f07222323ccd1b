import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres

extension TokenManager {
    /// Runs `body` with the token of worker `reference` held exclusively and inside one database
    /// transaction that has the worker and token rows locked. The key store `body` returns
    /// becomes the token's in-memory store only after the transaction committed; if anything
    /// throws, neither the database nor the token changed.
    func withTokenTransaction<T: Sendable>(
        _ reference: String, database: PostgresClient,
        _ body: @escaping @Sendable (TokenWorkers, CryptoTokenSession, PKCS12KeyStore, PostgresConnection) async throws
            -> (PKCS12KeyStore, T)
    ) async throws -> T {
        let holderID = try await database.withTransaction { try await TokenWorkers.lock(reference, on: $0) }.holder.id
        guard let session = session(for: holderID) else {
            throw SignPeerError(.cryptoTokenOffline, "The crypto token of worker \(reference.prefix(64)) is offline.", status: 409)
        }
        return try await session.update { store in
            try await database.withTransaction { connection in
                let workers = try await TokenWorkers.lock(reference, on: connection)
                guard workers.holder.id == holderID else {
                    throw SignPeerError(.serviceUnavailable, "The token configuration changed; try again.", status: 503)
                }
                return try await body(workers, session, store, connection)
            }
        }
    }
}
