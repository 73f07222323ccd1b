import SignPeerCore
import SignPeerCrypto
import SignPeerServer
import SignPeerStore

extension CertificateInstallation {
    /// SPEC §7.2 for a `PKCS11CryptoToken`: the certificate's key is matched against the public
    /// key read back from the HSM (before the transaction), then the same switch as for a PKCS#12
    /// token commits, with the rows re-locked and the binding re-checked as listed; nil when the
    /// worker's token is not an activated HSM token.
    func installInHSM(input: Input, workerID: Int, principal: Principal?) async throws -> (WorkerRecord, WorkerRecord)? {
        try await tokens.withHSMChange(
            String(workerID), access: .peer,
            prepare: { workers, hsm in
                try await Self.check(input, for: workers.worker) { alias in
                    try await hsm.token.key(alias: alias)?.publicKey?.der
                }
            },
            commit: { workers, plan, connection in
                try await Self.switchKeys(plan, workers: workers, workerID: workerID, principal: principal, on: connection)
            })
    }
}
