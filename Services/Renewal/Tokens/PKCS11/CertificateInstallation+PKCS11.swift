import SignPeerCore
import SignPeerCrypto
import SignPeerServiceSupport

extension CertificateInstallation {
    /// SPEC §7.2 for a `PKCS11CryptoToken`: the certificate's key is matched against the public
    /// key read back from the HSM; nil when the worker's token is not an activated HSM token.
    func installInHSM(sent: [Certificate], input: Input, workerID: Int, principal: Principal?) async throws -> Void? {
        try await tokens.withHSMTransaction(String(workerID)) { workers, hsm, connection in
            let worker = workers.worker
            let alias = worker.value(PropertyName.nextCertSignKey) ?? worker.value(PropertyName.defaultKey)
            guard let alias, let entry = try await hsm.token.key(alias: alias), let publicKey = entry.publicKey else {
                throw SignPeerError(.keyNotFound, "Worker \(worker.name) has no key to install a certificate for.", status: 409)
            }
            try await Self.switchKeys(
                to: sent, input: input, worker: worker, alias: alias, publicKeyDER: publicKey.der, principal: principal,
                on: connection)
        }
    }
}
