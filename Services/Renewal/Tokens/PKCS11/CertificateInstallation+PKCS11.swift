import SignPeerCore
import SignPeerCrypto
import SignPeerServer
import SignPeerStore

extension CertificateInstallation {
    /// SPEC §7.2 for a `PKCS11CryptoToken`: the certificate's key is matched against the public
    /// key read back from the HSM (before the transaction), then the same switch as for a PKCS#12
    /// token commits, with the rows re-locked and the binding re-checked as listed; nil when the
    /// worker's token is not an activated HSM token. `PEERS_KEEPOLDKEYS` is applied afterwards
    /// (``pruneInHSM(worker:holder:principal:)``).
    func installInHSM(input: Input, workerID: Int, principal: Principal?) async throws -> (WorkerRecord, WorkerRecord)? {
        let installed = try await tokens.withHSMChange(
            String(workerID), access: .peer,
            prepare: { workers, hsm in
                try await Self.check(input, for: workers.worker) { alias in
                    try await hsm.token.key(alias: alias)?.publicKey?.der
                }
            },
            commit: { workers, plan, connection in
                try await Self.switchKeys(plan, workers: workers, workerID: workerID, principal: principal, on: connection)
            })
        if let (worker, holder) = installed, let keep = SupersededKeys.keep(worker) {
            await pruneInHSM(keep: keep, worker: worker, holder: holder, principal: principal)
        }
        return installed
    }

    /// `PEERS_KEEPOLDKEYS` for an HSM token (``SupersededKeys``), once the install committed: the
    /// candidates are read in a short transaction, deleted from the HSM with none open, then their
    /// records removed and each deletion audited in one more. A key the HSM does not delete keeps
    /// its record for the next install; pruning never fails the install that caused it.
    private func pruneInHSM(keep: Int, worker: WorkerRecord, holder: WorkerRecord, principal: Principal?) async {
        do {
            guard let hsm = await tokens.hsm.token(for: holder.id) else { return }
            let candidates = try await database.withTransaction { connection in
                try await SupersededKeyRows.beyond(keep: keep, worker: worker.id, holder: holder, on: connection)
            }
            var deleted: [(alias: String, existed: Bool)] = []
            for alias in candidates {
                do {
                    deleted.append((alias, try await hsm.token.deleteKey(alias: alias)))
                } catch {
                    tokens.logger.warning(
                        "superseded HSM key not deleted", metadata: ["worker": .string(worker.name), "alias": .string(alias)])
                }
            }
            guard !deleted.isEmpty else { return }
            try await database.withTransaction { connection in
                for (alias, existed) in deleted {
                    try await SupersededKeyRows.delete(alias, holder: holder.id, on: connection)
                    guard existed else { continue }
                    try await SupersededKeys.audit(
                        alias, keep: keep, worker: worker, holder: holder, principal: principal, on: connection)
                }
            }
        } catch {
            tokens.logger.warning(
                "superseded HSM keys not pruned",
                metadata: ["worker": .string(worker.name), "error": .string(String(describing: error))])
        }
    }
}
