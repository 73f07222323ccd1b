import Foundation
import Logging
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerStore

/// SPEC §7.1, the CA's first step: optionally a new key pair under the next alias (replacing a
/// pending one), then a PKCS#10 request for the next key (or the current one).
///
/// The key pair, the CSR and the sealed key are made first, with no transaction open; then one
/// short transaction with the worker and token rows locked re-checks that the binding is still
/// listed and commits the new key's row (``TokenStorage``: only that row, and the replaced
/// pending key's), `NEXTCERTSIGNKEY` and the audit rows together. The
/// in-memory token is updated only after the commit. The current key and certificate are never
/// touched, so a crash at any point leaves the worker signing with its matching key and certificate.
struct RenewalPreparation: Sendable {
    let database: PostgresClient
    let tokens: TokenManager

    /// What the slow phase made for the commit.
    struct Plan: Sendable {
        var store: PKCS12KeyStore
        var alias: String
        var csr: String
        /// The new key and the token change that stores it, when keys were renewed.
        var generated: (key: PrivateKey, change: TokenStorage.Change)?
        /// A pending key that the new one replaced.
        var replacedPending: String?
    }

    func prepare(workerID: Int, renewKeys: Bool, principal: Principal?) async throws -> RenewalResponse {
        if let response = try await prepareInHSM(workerID: workerID, renewKeys: renewKeys, principal: principal) {
            return response
        }
        let (keyAlias, csr) = try await tokens.withTokenChange(
            String(workerID), access: .peer, database: database,
            prepare: { workers, session, store in try await Self.plan(workers.worker, session, store, renewKeys: renewKeys) },
            commit: { workers, plan, connection in
                let worker = workers.worker
                if let generated = plan.generated {
                    try await PropertyWriter.set(PropertyName.nextCertSignKey, plan.alias, worker: worker.id, on: connection)
                    try await TokenStorage.write(
                        generated.change, holderID: workers.holder.id, kind: workers.kind, on: connection)
                }
                if let pending = plan.replacedPending {
                    try await AuditLog.append(
                        AuditEvent(.keyRemoved, principal: principal, workerID: worker.id, workerName: worker.name,
                                   details: ["alias": pending, "reason": "replaced by a new pending key"]),
                        on: connection)
                }
                if let key = plan.generated?.key {
                    try await AuditLog.append(
                        AuditEvent(.keyGenerated, principal: principal, workerID: worker.id, workerName: worker.name,
                                   details: ["alias": plan.alias, "algorithm": key.algorithm, "specification": key.specification ?? ""]),
                        on: connection)
                }
                try await AuditLog.append(
                    AuditEvent(.csrGenerated, principal: principal, workerID: worker.id, workerName: worker.name,
                               details: ["alias": plan.alias, "keysRenewed": String(renewKeys)]),
                    on: connection)
                return (plan.store, (plan.alias, plan.csr))
            })
        return RenewalResponse(id: workerID, keysRenewed: renewKeys, keyAlias: keyAlias, csr: csr)
    }

    /// The slow phase: the new key (when `renewKeys`), the CSR and the sealed new key.
    static func plan(_ worker: WorkerRecord, _ session: CryptoTokenSession, _ store: PKCS12KeyStore, renewKeys: Bool)
        async throws -> Plan
    {
        let original = store
        var store = store
        var replacedPending: String?
        var requestAlias = worker.value(PropertyName.nextCertSignKey) ?? worker.value(PropertyName.defaultKey)
        var newKey: PrivateKey?
        if renewKeys {
            let spec = try KeyGenerationSpec.parse(
                keyAlgorithm: worker.value(PropertyName.keyAlgorithm),
                keySpecification: worker.value(PropertyName.keySpecification))
            let current = worker.value(PropertyName.defaultKey)
            if let pending = worker.value(PropertyName.nextCertSignKey), pending != current,
                store.entries.removeValue(forKey: pending) != nil
            {
                replacedPending = pending
            }
            let alias = NextKeyAlias.next(after: current, taken: Set(store.entries.keys))
            let started = ContinuousClock.now
            let key = try await KeyGenerator.generate(spec)
            KeyGenerationMetrics.record(algorithm: key.algorithm, duration: ContinuousClock.now - started)
            store.entries[alias] = PKCS12KeyStore.Entry(key: key)
            newKey = key
            requestAlias = alias
        }
        guard let alias = requestAlias else {
            throw SignPeerError.keyNotFound("Worker \(worker.name) has neither NEXTCERTSIGNKEY nor DEFAULTKEY.")
        }
        guard let entry = store.entries[alias] else {
            throw SignPeerError.keyNotFound("Key '\(alias)' of worker \(worker.name) is not in its crypto token.")
        }
        let key = entry.key
        let request = try await BlockingWork.run { try Self.certificationRequest(for: worker, alias: alias, key: key) }
        var generated: (key: PrivateKey, change: TokenStorage.Change)?
        if let newKey { generated = (newKey, try await TokenStorage.change(from: original, to: store, session: session)) }
        return Plan(store: store, alias: alias, csr: request.pem, generated: generated, replacedPending: replacedPending)
    }

    /// A CSR for `key` with the worker's `REQUESTDN` (default `CN=<alias>`) and the signature
    /// algorithm of SPEC §3.
    static func certificationRequest(for worker: WorkerRecord, alias: String, key: PrivateKey) throws
        -> CertificationRequest
    {
        let algorithm = try SignatureAlgorithm.forKey(
            configured: worker.value(PropertyName.signatureAlgorithm),
            requestSignatureAlgorithm: worker.value(PropertyName.requestSignatureAlgorithm), key: key)
        return try CertificationRequest.make(subject: try subject(for: worker, alias: alias), key: key, algorithm: algorithm)
    }

    /// The CSR subject: the worker's `REQUESTDN`, default `CN=<alias>`.
    static func subject(for worker: WorkerRecord, alias: String) throws -> DistinguishedName {
        guard let requested = worker.value(PropertyName.requestDN) else {
            return DistinguishedName(rdns: [RelativeDistinguishedName([.init(type: "CN", value: alias)])])
        }
        do {
            return try DistinguishedName(parsing: requested)
        } catch let error as SignPeerError {
            throw SignPeerError.invalidDN("REQUESTDN '\(requested.prefix(128))': \(error.message)")
        }
    }
}
