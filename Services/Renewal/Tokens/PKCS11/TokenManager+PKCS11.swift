import SignPeerCore
import SignPeerPKCS11
import SignPeerPostgres
import SignPeerServer
import SignPeerStore

extension TokenManager {
    /// ``withTokenChange(_:access:database:prepare:commit:)`` for a worker whose token is an
    /// activated `PKCS11CryptoToken`; answers nil for every other token, which then takes the
    /// PKCS#12 path (where an HSM token that is not activated is offline, 409, like any).
    ///
    /// `prepare` does the slow work in the HSM (key generation, CSR signing: blocking calls on the
    /// module's own executor) with **no** transaction open; `commit` then runs in one short
    /// transaction that has locked the worker and token rows again (and, for `.peer`, re-checked
    /// that the binding is still listed). If the rows changed meanwhile the prepared work is
    /// undone and redone (a few times, then 503); if `commit` throws, `undo` removes from the HSM
    /// what `prepare` made (e.g. a generated key), so the HSM holds nothing no row refers to.
    func withHSMChange<Plan: Sendable, T: Sendable>(
        _ reference: String, access: TokenWorkers.Access = .admin,
        prepare: @escaping @Sendable (TokenWorkers, PKCS11Tokens.Active) async throws -> Plan,
        commit: @escaping @Sendable (TokenWorkers, Plan, PostgresConnection) async throws -> T,
        undo: @escaping @Sendable (PKCS11Tokens.Active, Plan) async -> Void = { _, _ in }
    ) async throws -> T? {
        guard await !hsm.isEmpty else { return nil }
        var snapshot = try await database.withTransaction { try await TokenWorkers.lock(reference, on: $0, access: access) }
        guard case .pkcs11 = snapshot.kind else { return nil }
        guard let token = await hsm.token(for: snapshot.holder.id) else {
            throw SignPeerError.cryptoTokenOffline("The crypto token of worker \(reference.prefix(64)) is offline.")
        }
        for _ in 0..<Self.preparationAttempts {
            let plan = try await prepare(snapshot, token)
            let outcome: Result<T, HSMChanged>
            do {
                let expected = snapshot
                outcome = try await database.withTransaction { connection in
                    let workers = try await TokenWorkers.lock(reference, on: connection, access: access)
                    guard workers.holder.id == expected.holder.id, workers.kind == expected.kind else {
                        throw SignPeerError.serviceUnavailable("The token configuration changed; try again.")
                    }
                    guard workers.worker == expected.worker, workers.holder == expected.holder else {
                        return .failure(HSMChanged(current: workers))
                    }
                    return .success(try await commit(workers, plan, connection))
                }
            } catch {
                await undo(token, plan)
                throw error
            }
            switch outcome {
            case .success(let result): return result
            case .failure(let changed):
                await undo(token, plan)
                snapshot = changed.current
            }
        }
        throw SignPeerError.serviceUnavailable("The worker's configuration keeps changing; try again.")
    }

    /// Read-only access to an activated HSM token (no change, no audit); nil for other tokens.
    func readHSMToken(_ reference: String) async throws -> (TokenWorkers, PKCS11Tokens.Active)? {
        guard await !hsm.isEmpty else { return nil }
        let workers = try await database.withTransaction { try await TokenWorkers.lock(reference, on: $0) }
        guard case .pkcs11 = workers.kind else { return nil }
        guard let token = await hsm.token(for: workers.holder.id) else {
            throw SignPeerError.cryptoTokenOffline("The crypto token of worker \(reference.prefix(64)) is offline.")
        }
        return (workers, token)
    }
}

private struct HSMChanged: Error, Sendable { var current: TokenWorkers }

extension TokenManager {
    /// Auto-activation that failed at start for a reason that may pass (an HSM offline or busy,
    /// a database blip): tried again with backoff until the token is activated or refused for
    /// good (a wrong PIN, a bad property). A wrong PIN is never retried: it would count towards
    /// locking the PIN.
    func retryActivation(_ worker: WorkerRecord, code: String, after first: any Error) {
        let reference = String(worker.id)
        Task {
            await hsm.scheduleActivation(holderID: worker.id, name: worker.name, reason: Self.reason(first)) { [weak self] in
                guard let self else { return true }
                do {
                    _ = try await self.activate(reference, code: code, principal: nil)
                    return true
                } catch where Self.isTransientActivationFailure(error) {
                    self.logger.info(
                        "crypto token still not activated; retrying",
                        metadata: ["worker": .string(worker.name), "reason": .string(Self.reason(error))])
                    return false
                } catch {
                    self.logger.error(
                        "crypto token auto-activation failed",
                        metadata: ["worker": .string(worker.name), "reason": .string(Self.reason(error))])
                    return true
                }
            }
        }
    }

    /// An offline HSM, a timed-out call or an unavailable database: the same activation may
    /// succeed later. Every other ``SignPeerError`` is a refusal that would only repeat.
    static func isTransientActivationFailure(_ error: any Error) -> Bool {
        guard let error = error as? SignPeerError else { return true }
        return [.cryptoTokenOffline, .serviceUnavailable, .databaseError].contains(error.code)
    }

    private static func reason(_ error: any Error) -> String {
        (error as? SignPeerError).map { "\($0.code.rawValue): \($0.message.prefix(200))" } ?? String(describing: type(of: error))
    }
}

extension TokenManager {
    /// Activation of a `PKCS11CryptoToken`: the HSM login (a blocking C call on the module's own
    /// executor) happens with no transaction open; the activation is then recorded in a short
    /// one that re-locks the rows and checks the token configuration did not change meanwhile
    /// (if it did, the login is undone). A refused PIN is audited like a refused key store code.
    func activateInHSM(
        _ reference: String, workers: TokenWorkers, properties: PKCS11TokenProperties, pin: String, principal: Principal?
    ) async throws -> String {
        let holder = workers.holder
        do {
            try await hsm.activate(holderID: holder.id, name: holder.name, properties: properties, pin: pin)
        } catch let error as SignPeerError where error.code != .serviceUnavailable {
            try await AuditLog.record(
                AuditEvent(
                    .tokenActivationFailed, outcome: .failure, principal: principal, workerName: reference,
                    details: ["reason": error.code.rawValue]),
                in: database)
            logger.warning("crypto token activation failed", metadata: ["worker": .string(reference), "code": .string(error.code.rawValue)])
            throw error
        }
        do {
            try await database.withTransaction { connection in
                let locked = try await TokenWorkers.lock(reference, on: connection)
                guard locked.holder.id == holder.id, locked.kind == workers.kind else {
                    throw SignPeerError.serviceUnavailable("The token configuration changed; try again.")
                }
                try await AuditLog.append(
                    AuditEvent(.tokenActivated, principal: principal, workerID: holder.id, workerName: holder.name),
                    on: connection)
            }
        } catch {
            await hsm.deactivate(holderID: holder.id)
            throw error
        }
        await listingChanged()
        logger.notice("crypto token activated", metadata: ["worker": .string(holder.name)])
        return "Activation of worker \(holder.name) was successful"
    }
}
