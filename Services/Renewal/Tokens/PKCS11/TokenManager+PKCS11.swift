import SignPeerCore
import SignPeerPKCS11
import SignPeerPostgres
import SignPeerServiceSupport

extension TokenManager {
    /// Runs `body` in one transaction with the worker and token rows locked (as
    /// ``withTokenTransaction(_:database:_:)`` does for PKCS#12 tokens) when the worker's token
    /// is an activated `PKCS11CryptoToken`; answers nil for every other token, which then takes
    /// the PKCS#12 path (where an HSM token that is not activated is offline, 409, like any).
    func withHSMTransaction<T: Sendable>(
        _ reference: String,
        _ body: @escaping @Sendable (TokenWorkers, PKCS11Tokens.Active, PostgresConnection) async throws -> T
    ) async throws -> T? {
        guard await !hsm.isEmpty else { return nil }
        let hsm = hsm
        return try await database.withTransaction { connection -> T? in
            let workers = try await TokenWorkers.lock(reference, on: connection)
            guard case .pkcs11 = workers.kind else { return nil }
            guard let token = await hsm.token(for: workers.holder.id) else {
                throw SignPeerError(
                    .cryptoTokenOffline, "The crypto token of worker \(reference.prefix(64)) is offline.", status: 409)
            }
            return try await body(workers, token, connection)
        }
    }
}

extension TokenManager {
    /// Auto-activation of a token whose HSM is offline at start: tried again until it is back.
    func retryActivationWhileOffline(_ worker: WorkerRecord, code: String) {
        let reference = String(worker.id)
        Task {
            await hsm.scheduleActivation(holderID: worker.id, name: worker.name) { [weak self] in
                guard let self else { return true }
                do {
                    _ = try await self.activate(reference, code: code, principal: nil)
                    return true
                } catch let error as SignPeerError where error.code == .cryptoTokenOffline {
                    return false
                } catch {
                    return true
                }
            }
        }
    }
}
