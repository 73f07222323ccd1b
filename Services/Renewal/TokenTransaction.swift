import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres

extension TokenManager {
    /// Changes the token of worker `reference` in two phases, holding the token exclusively:
    ///
    /// 1. `prepare` does the slow work — key generation, CSR signing, key-store encoding — on a
    ///    snapshot of the worker and its token holder, with **no** database transaction open;
    /// 2. `commit` writes, inside one short transaction that has locked the worker and token rows
    ///    again (and, for `.peer`, re-checked that the worker is still listed), what `prepare`
    ///    made, appending its audit rows last.
    ///
    /// If the worker or its holder changed between the snapshot and the lock, the prepared work is
    /// discarded and redone on the new state (a few times, then 503). The key store `commit`
    /// returns (nil: unchanged) becomes the token's in-memory store only after the transaction committed,
    /// and then the listing version moves (``listingChanged()``); if anything throws, neither the
    /// database nor the token changed.
    func withTokenChange<Plan: Sendable, T: Sendable>(
        _ reference: String, access: TokenWorkers.Access = .admin, database: PostgresClient,
        prepare: @escaping @Sendable (TokenWorkers, CryptoTokenSession, PKCS12KeyStore) async throws -> Plan,
        commit: @escaping @Sendable (TokenWorkers, Plan, PostgresConnection) async throws -> (PKCS12KeyStore?, T)
    ) async throws -> T {
        let first = try await database.withTransaction { try await TokenWorkers.lock(reference, on: $0, access: access) }
        guard let session = session(for: first.holder.id) else {
            throw SignPeerError.cryptoTokenOffline("The crypto token of worker \(reference.prefix(64)) is offline.")
        }
        let result = try await session.update { store in
            var snapshot = first
            for _ in 0..<Self.preparationAttempts {
                let plan = try await prepare(snapshot, session, store)
                let outcome: Result<(PKCS12KeyStore?, T), Changed> = try await database.withTransaction { connection in
                    let workers = try await TokenWorkers.lock(reference, on: connection, access: access)
                    guard workers.holder.id == session.holderID else {
                        throw SignPeerError.serviceUnavailable("The token configuration changed; try again.")
                    }
                    guard workers.worker == snapshot.worker, workers.holder == snapshot.holder else {
                        return .failure(Changed(current: workers))
                    }
                    return .success(try await commit(workers, plan, connection))
                }
                switch outcome {
                case .success(let (newStore, result)): return (newStore ?? store, result)
                case .failure(let changed): snapshot = changed.current
                }
            }
            throw SignPeerError.serviceUnavailable("The worker's configuration keeps changing; try again.")
        }
        // The committed change is now in memory too: listings kept before it are out of date.
        await listingChanged()
        return result
    }

    /// How often prepared work is redone because the worker changed meanwhile.
    static let preparationAttempts = 3

    private struct Changed: Error, Sendable { var current: TokenWorkers }

    /// Read-only access to the token of `reference` (no change, no audit): its workers and session.
    func readToken(_ reference: String, database: PostgresClient) async throws -> (TokenWorkers, CryptoTokenSession) {
        let workers = try await database.withTransaction { try await TokenWorkers.lock(reference, on: $0) }
        guard let session = session(for: workers.holder.id) else {
            throw SignPeerError.cryptoTokenOffline("The crypto token of worker \(reference.prefix(64)) is offline.")
        }
        return (workers, session)
    }
}
