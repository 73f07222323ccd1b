import Foundation
import Logging
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerServiceSupport

/// SPEC §7.1, the CA's first step: optionally a new key pair under the next alias (replacing a
/// pending one), then a PKCS#10 request for the next key (or the current one).
///
/// Everything happens in one transaction with the worker and token rows locked: the new key
/// store, `NEXTCERTSIGNKEY` and the audit rows commit together, and the in-memory token is
/// updated only after the commit. The current key and certificate are never touched, so a crash
/// at any point leaves the worker signing with its matching key and certificate.
struct RenewalPreparation: Sendable {
    let database: PostgresClient
    let tokens: TokenManager

    func prepare(workerID: Int, renewKeys: Bool, principal: Principal?) async throws -> RenewalResponse {
        if let response = try await prepareInHSM(workerID: workerID, renewKeys: renewKeys, principal: principal) {
            return response
        }
        let (keyAlias, csr) = try await tokens.withTokenTransaction(String(workerID), database: database) { workers, session, store, connection in
            var store = store
            let worker = workers.worker
            var changed = false
            var requestAlias = worker.value(PropertyName.nextCertSignKey) ?? worker.value(PropertyName.defaultKey)
            if renewKeys {
                let spec = try KeyGenerationSpec.parse(
                    keyAlgorithm: worker.value(PropertyName.keyAlgorithm),
                    keySpecification: worker.value(PropertyName.keySpecification))
                let current = worker.value(PropertyName.defaultKey)
                if let pending = worker.value(PropertyName.nextCertSignKey), pending != current,
                    store.entries.removeValue(forKey: pending) != nil
                {
                    try await AuditLog.append(
                        AuditEvent(.keyRemoved, principal: principal, workerID: worker.id, workerName: worker.name,
                                   details: ["alias": pending, "reason": "replaced by a new pending key"]),
                        on: connection)
                }
                let alias = NextKeyAlias.next(after: current, taken: Set(store.entries.keys))
                let started = ContinuousClock.now
                let key = try await KeyGenerator.generate(spec)
                KeyGenerationMetrics.record(algorithm: key.algorithm, duration: ContinuousClock.now - started)
                store.entries[alias] = PKCS12KeyStore.Entry(key: key)
                try await WorkerProperties.set(PropertyName.nextCertSignKey, alias, worker: worker.id, on: connection)
                try await AuditLog.append(
                    AuditEvent(.keyGenerated, principal: principal, workerID: worker.id, workerName: worker.name,
                               details: ["alias": alias, "algorithm": key.algorithm, "specification": key.specification ?? ""]),
                    on: connection)
                changed = true
                requestAlias = alias
            }
            guard let alias = requestAlias else {
                throw SignPeerError(.keyNotFound, "Worker \(worker.name) has neither NEXTCERTSIGNKEY nor DEFAULTKEY.", status: 409)
            }
            guard let entry = store.entries[alias] else {
                throw SignPeerError(.keyNotFound, "Key '\(alias)' of worker \(worker.name) is not in its crypto token.", status: 409)
            }
            let request = try Self.certificationRequest(for: worker, alias: alias, key: entry.key)
            try await AuditLog.append(
                AuditEvent(.csrGenerated, principal: principal, workerID: worker.id, workerName: worker.name,
                           details: ["alias": alias, "keysRenewed": String(renewKeys)]),
                on: connection)
            if changed {
                try await KeyStoreStorage.save(
                    try await KeyStoreStorage.encode(store, code: session.code), holderID: session.holderID, kind: session.kind, on: connection)
                try await WorkerProperties.touch(worker: worker.id, on: connection)
            }
            return (store, (alias, request.pem))
        }
        return RenewalResponse(id: workerID, keysRenewed: renewKeys, keyAlias: keyAlias, csr: csr)
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
            throw SignPeerError(.invalidDN, "REQUESTDN '\(requested.prefix(128))': \(error.message)")
        }
    }
}
