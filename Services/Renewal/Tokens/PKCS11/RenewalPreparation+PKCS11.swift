import Foundation
import Logging
import SignPeerCore
import SignPeerCrypto
import SignPeerPKCS11
import SignPeerPostgres
import SignPeerServer
import SignPeerStore

extension RenewalPreparation {
    /// SPEC §7.1 for a `PKCS11CryptoToken`: the next key pair is generated **in** the HSM and
    /// the CSR is signed there; nil when the worker's token is not an activated HSM token.
    ///
    /// The HSM is not part of the database transaction, so the order keeps every crash harmless:
    /// the key and the CSR are made first, with no transaction open, under an alias no row refers
    /// to yet (the pending one's alias counts as taken); `NEXTCERTSIGNKEY` and the audit rows then
    /// commit together in the transaction that re-locks the rows and re-checks the binding is
    /// listed; the replaced pending key is deleted only after the commit. A failed commit deletes
    /// the new key again; a crash in between leaves at most an unreferenced key, whose alias the
    /// next renewal skips.
    func prepareInHSM(workerID: Int, renewKeys: Bool, principal: Principal?) async throws -> RenewalResponse? {
        let outcome = try await tokens.withHSMChange(
            String(workerID), access: .peer,
            prepare: { workers, hsm in try await Self.planInHSM(workers.worker, hsm, renewKeys: renewKeys) },
            commit: { workers, plan, connection in
                let worker = workers.worker
                if let generated = plan.generated {
                    if let replaced = plan.replacedPending {
                        try await AuditLog.append(
                            AuditEvent(.keyRemoved, principal: principal, workerID: worker.id, workerName: worker.name,
                                       details: ["alias": replaced, "reason": "replaced by a new pending key"]),
                            on: connection)
                    }
                    try await PropertyWriter.set(PropertyName.nextCertSignKey, plan.alias, worker: worker.id, on: connection)
                    try await AuditLog.append(
                        AuditEvent(.keyGenerated, principal: principal, workerID: worker.id, workerName: worker.name,
                                   details: ["alias": plan.alias, "algorithm": generated.publicKey?.algorithm ?? "",
                                             "specification": generated.publicKey?.specification ?? "", "token": "PKCS11"]),
                        on: connection)
                }
                try await AuditLog.append(
                    AuditEvent(.csrGenerated, principal: principal, workerID: worker.id, workerName: worker.name,
                               details: ["alias": plan.alias, "keysRenewed": String(renewKeys)]),
                    on: connection)
                return plan
            },
            undo: { hsm, plan in
                if let generated = plan.generated { _ = try? await hsm.token.deleteKey(alias: generated.alias) }
            })
        guard let plan = outcome else { return nil }
        if let replaced = plan.replacedPending {
            do {
                _ = try await plan.token.deleteKey(alias: replaced)
            } catch {
                tokens.logger.warning(
                    "the replaced pending key stays in the HSM", metadata: ["alias": .string(replaced), "error": "\(error)"])
            }
        }
        return RenewalResponse(id: workerID, keysRenewed: renewKeys, keyAlias: plan.alias, csr: plan.csr)
    }

    /// What the slow phase in the HSM made for the commit.
    struct HSMPlan: Sendable {
        var alias: String
        var csr: String
        /// The key generated in the HSM, when keys were renewed.
        var generated: PKCS11KeyEntry?
        /// A pending key (still in the HSM) that the new one replaces.
        var replacedPending: String?
        var token: PKCS11Token
    }

    /// The key generation (when `renewKeys`) and CSR signing in the HSM; a failure after the
    /// key was generated deletes it again.
    static func planInHSM(_ worker: WorkerRecord, _ hsm: PKCS11Tokens.Active, renewKeys: Bool) async throws -> HSMPlan {
        let token = hsm.token
        var requestAlias = worker.value(PropertyName.nextCertSignKey) ?? worker.value(PropertyName.defaultKey)
        var generated: PKCS11KeyEntry?
        var replaced: String?
        if renewKeys {
            let spec = try KeyGenerationSpec.parse(
                keyAlgorithm: worker.value(PropertyName.keyAlgorithm),
                keySpecification: worker.value(PropertyName.keySpecification))
            let template = try await BlockingWork.run { try hsm.properties.template() }
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
            if let pending, try await token.key(alias: pending) != nil { replaced = pending }
        }
        do {
            guard let alias = requestAlias else {
                throw SignPeerError.keyNotFound("Worker \(worker.name) has neither NEXTCERTSIGNKEY nor DEFAULTKEY.")
            }
            let entry: PKCS11KeyEntry
            if let generated { entry = generated } else {
                guard let found = try await token.key(alias: alias) else {
                    throw SignPeerError.keyNotFound("Key '\(alias)' of worker \(worker.name) is not in its crypto token.")
                }
                entry = found
            }
            let request = try await certificationRequest(for: worker, alias: alias, entry: entry, token: token)
            return HSMPlan(alias: alias, csr: request.pem, generated: generated, replacedPending: replaced, token: token)
        } catch {
            if let generated { _ = try? await token.deleteKey(alias: generated.alias) }
            throw error
        }
    }

    /// A CSR for an HSM key with the worker's `REQUESTDN` and signature algorithm (SPEC §3),
    /// signed in the HSM.
    static func certificationRequest(
        for worker: WorkerRecord, alias: String, entry: PKCS11KeyEntry, token: PKCS11Token
    ) async throws -> CertificationRequest {
        guard let publicKey = entry.publicKey else {
            throw SignPeerError.keyNotFound("The public key of '\(alias)' is not in the crypto token.")
        }
        let algorithm = try SignatureAlgorithm.forKey(
            configured: worker.value(PropertyName.signatureAlgorithm),
            requestSignatureAlgorithm: worker.value(PropertyName.requestSignatureAlgorithm),
            keyAlgorithm: publicKey.algorithm, keySpecification: publicKey.specification)
        return try await token.certificationRequest(
            subject: try subject(for: worker, alias: alias), entry: entry, algorithm: algorithm)
    }
}
