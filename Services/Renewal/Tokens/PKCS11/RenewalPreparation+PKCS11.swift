import Foundation
import Logging
import SignPeerCore
import SignPeerCrypto
import SignPeerPKCS11
import SignPeerPostgres
import SignPeerServiceSupport

extension RenewalPreparation {
    /// SPEC §7.1 for a `PKCS11CryptoToken`: the next key pair is generated **in** the HSM and
    /// the CSR is signed there; nil when the worker's token is not an activated HSM token.
    ///
    /// The HSM is not part of the database transaction, so the order keeps every crash harmless:
    /// the new key gets an alias no row refers to yet (the pending one's alias counts as taken),
    /// `NEXTCERTSIGNKEY` and the audit rows commit together, and the replaced pending key is
    /// deleted only after the commit. A failure before the commit deletes the new key again; a
    /// crash in between leaves at most an unreferenced key, whose alias the next renewal skips.
    func prepareInHSM(workerID: Int, renewKeys: Bool, principal: Principal?) async throws -> RenewalResponse? {
        let outcome = try await tokens.withHSMTransaction(String(workerID)) { workers, hsm, connection in
            let worker = workers.worker, token = hsm.token
            var requestAlias = worker.value(PropertyName.nextCertSignKey) ?? worker.value(PropertyName.defaultKey)
            var generated: PKCS11KeyEntry?
            var replaced: String?
            if renewKeys {
                let spec = try KeyGenerationSpec.parse(
                    keyAlgorithm: worker.value(PropertyName.keyAlgorithm),
                    keySpecification: worker.value(PropertyName.keySpecification))
                let template = try await PKCS11Blocking.run { try hsm.properties.template() }
                let current = worker.value(PropertyName.defaultKey)
                let pending = worker.value(PropertyName.nextCertSignKey).flatMap { $0 == current ? nil : $0 }
                var alias = NextKeyAlias.next(after: current, taken: [])
                while try await token.key(alias: alias) != nil || alias == pending {
                    alias = NextKeyAlias.next(after: alias, taken: [])
                }
                let started = ContinuousClock.now
                let entry = try await token.generateKey(alias: alias, spec: spec, template: template)
                generated = entry
                KeyGenerationMetrics.record(algorithm: entry.publicKey?.algorithm ?? "unknown", duration: ContinuousClock.now - started)
                requestAlias = alias
                replaced = pending
            }
            do {
                guard let alias = requestAlias else {
                    throw SignPeerError(.keyNotFound, "Worker \(worker.name) has neither NEXTCERTSIGNKEY nor DEFAULTKEY.", status: 409)
                }
                let entry: PKCS11KeyEntry
                if let generated { entry = generated } else {
                    guard let found = try await token.key(alias: alias) else {
                        throw SignPeerError(.keyNotFound, "Key '\(alias)' of worker \(worker.name) is not in its crypto token.", status: 409)
                    }
                    entry = found
                }
                let request = try await Self.certificationRequest(for: worker, alias: alias, entry: entry, token: token)
                if let generated {
                    if let replaced, try await token.key(alias: replaced) != nil {
                        try await AuditLog.append(
                            AuditEvent(.keyRemoved, principal: principal, workerID: worker.id, workerName: worker.name,
                                       details: ["alias": replaced, "reason": "replaced by a new pending key"]),
                            on: connection)
                    }
                    try await WorkerProperties.set(PropertyName.nextCertSignKey, alias, worker: worker.id, on: connection)
                    try await AuditLog.append(
                        AuditEvent(.keyGenerated, principal: principal, workerID: worker.id, workerName: worker.name,
                                   details: ["alias": alias, "algorithm": generated.publicKey?.algorithm ?? "",
                                             "specification": generated.publicKey?.specification ?? "", "token": "PKCS11"]),
                        on: connection)
                    try await WorkerProperties.touch(worker: worker.id, on: connection)
                }
                try await AuditLog.append(
                    AuditEvent(.csrGenerated, principal: principal, workerID: worker.id, workerName: worker.name,
                               details: ["alias": alias, "keysRenewed": String(renewKeys)]),
                    on: connection)
                return (alias, request.pem, replaced, token)
            } catch {
                if let generated { _ = try? await token.deleteKey(alias: generated.alias) }
                throw error
            }
        }
        guard let (alias, csr, replaced, token) = outcome else { return nil }
        if let replaced {
            do {
                _ = try await token.deleteKey(alias: replaced)
            } catch {
                tokens.logger.warning(
                    "the replaced pending key stays in the HSM", metadata: ["alias": .string(replaced), "error": "\(error)"])
            }
        }
        return RenewalResponse(id: workerID, keysRenewed: renewKeys, keyAlias: alias, csr: csr)
    }

    /// A CSR for an HSM key with the worker's `REQUESTDN` and signature algorithm (SPEC §3),
    /// signed in the HSM.
    static func certificationRequest(
        for worker: WorkerRecord, alias: String, entry: PKCS11KeyEntry, token: PKCS11Token
    ) async throws -> CertificationRequest {
        guard let publicKey = entry.publicKey else {
            throw SignPeerError(.keyNotFound, "The public key of '\(alias)' is not in the crypto token.", status: 409)
        }
        let algorithm = try SignatureAlgorithm.forKey(
            configured: worker.value(PropertyName.signatureAlgorithm),
            requestSignatureAlgorithm: worker.value(PropertyName.requestSignatureAlgorithm),
            keyAlgorithm: publicKey.algorithm, keySpecification: publicKey.specification)
        return try await token.certificationRequest(
            subject: try subject(for: worker, alias: alias), entry: entry, algorithm: algorithm)
    }
}
