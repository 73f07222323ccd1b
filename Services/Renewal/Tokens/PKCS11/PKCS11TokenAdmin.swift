import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerPKCS11
import SignPeerServer
import SignPeerStore
import Synchronization

/// The token and key admin commands (SPEC §9.1) for a `PKCS11CryptoToken`: each answers nil
/// when the worker's token is not an activated HSM token, so ``TokenAdminRoutes`` goes on with
/// the PKCS#12 path.
enum PKCS11TokenAdmin {
    /// `querytokenentries`: every key in the HSM token, with details and SKI read from it.
    static func entries(_ reference: String, tokens: TokenManager) async throws -> TokenEntryList? {
        guard let (workers, hsm) = try await tokens.readHSMToken(reference) else { return nil }
        return TokenEntryList(tokenWorkerId: workers.holder.id, entries: try await hsm.token.keys().map(tokenEntry))
    }

    /// `generatekey`: a key pair generated in the HSM under the alias (refused when it exists).
    static func generate(
        _ reference: String, request: KeyGenerationRequest, spec: KeyGenerationSpec, principal: Principal?,
        tokens: TokenManager
    ) async throws -> TokenEntry? {
        try await tokens.withHSMChange(
            reference,
            prepare: { _, hsm in
                let template = try await BlockingWork.run { try hsm.properties.template() }
                let started = ContinuousClock.now
                let entry = try await hsm.token.generateKey(alias: request.alias, spec: spec, template: template)
                KeyGenerationMetrics.record(algorithm: entry.publicKey?.algorithm ?? "unknown", duration: ContinuousClock.now - started)
                return entry
            },
            commit: { workers, entry, connection in
                try await AuditLog.append(
                    AuditEvent(
                        .keyGenerated, principal: principal, workerID: workers.holder.id, workerName: workers.holder.name,
                        details: ["alias": request.alias, "algorithm": entry.publicKey?.algorithm ?? "",
                                  "specification": entry.publicKey?.specification ?? "", "token": "PKCS11"]),
                    on: connection)
                return tokenEntry(entry)
            },
            undo: { hsm, entry in _ = try? await hsm.token.deleteKey(alias: entry.alias) })
    }

    /// `removekey`: the private key and its public key and certificate objects. The HSM
    /// deletes first (no transaction open); the audit row follows in a short one. A redo after a
    /// concurrent change of the rows does not delete (or miss) the key twice.
    static func remove(_ reference: String, alias: String, principal: Principal?, tokens: TokenManager) async throws -> Void? {
        let deleted = Mutex(false)
        return try await tokens.withHSMChange(
            reference,
            prepare: { _, hsm in
                guard !deleted.withLock({ $0 }) else { return }
                guard try await hsm.token.deleteKey(alias: alias) else {
                    throw SignPeerError.keyNotFound("The token has no key '\(alias.prefix(64))'.")
                }
                deleted.withLock { $0 = true }
            },
            commit: { workers, _, connection in
                try await AuditLog.append(
                    AuditEvent(
                        .keyRemoved, principal: principal, workerID: workers.holder.id, workerName: workers.holder.name,
                        details: ["alias": alias]), on: connection)
            })
    }

    /// `testkey`: signs a test message in the HSM and verifies it with the public key read back.
    static func test(_ reference: String, alias requested: String, tokens: TokenManager) async throws -> KeyTestResult? {
        guard let (workers, hsm) = try await tokens.readHSMToken(reference) else { return nil }
        let alias = requested == "_default" ? workers.worker.value(PropertyName.defaultKey) ?? "" : requested
        guard let entry = try await hsm.token.key(alias: alias), let publicKey = entry.publicKey else {
            throw SignPeerError.keyNotFound("The token has no key '\(alias.prefix(64))'.")
        }
        let algorithm = try SignatureAlgorithm.forKey(
            configured: nil, requestSignatureAlgorithm: nil, keyAlgorithm: publicKey.algorithm,
            keySpecification: publicKey.specification)
        let message = Array("SignPeer key test \(Date())".utf8)
        let signature = try await hsm.token.sign(message, with: entry, algorithm: algorithm)
        let verified = algorithm.verify(signature: signature, data: message, publicKeyInfoDER: publicKey.der)
        let signer = workers.worker.value(PropertyName.signerCertificate).flatMap { try? Certificate.parse(Array($0.utf8)).first }
        let matches = alias == workers.worker.value(PropertyName.defaultKey)
            ? signer.map { $0.hasSamePublicKey(as: publicKey.der) } : nil
        return KeyTestResult(
            alias: alias, success: verified, signatureAlgorithm: algorithm.rawValue, matchesSignerCertificate: matches)
    }

    /// `generatecertreq`: a CSR for a key of the HSM token, signed in the HSM.
    static func certificationRequest(
        _ reference: String, request body: CertificateRequestRequest, principal: Principal?, tokens: TokenManager
    ) async throws -> CertificateRequestResult? {
        try await tokens.withHSMChange(
            reference,
            prepare: { workers, hsm in
                let worker = workers.worker
                let alias = body.alias
                    ?? (body.nextKey ? worker.value(PropertyName.nextCertSignKey) : worker.value(PropertyName.defaultKey))
                guard let alias, let entry = try await hsm.token.key(alias: alias) else {
                    throw SignPeerError.keyNotFound("Worker \(worker.name) has no such key in its token.")
                }
                var configured = worker
                configured.properties[PropertyName.requestDN] = body.subjectDN
                configured.properties[PropertyName.signatureAlgorithm] = body.signatureAlgorithm
                configured.properties[PropertyName.requestSignatureAlgorithm] = nil
                let request = try await RenewalPreparation.certificationRequest(
                    for: configured, alias: alias, entry: entry, token: hsm.token)
                return CertificateRequestResult(keyAlias: alias, csr: request.pem)
            },
            commit: { workers, result, connection in
                try await AuditLog.append(
                    AuditEvent(.csrGenerated, principal: principal, workerID: workers.worker.id, workerName: workers.worker.name,
                               details: ["alias": result.keyAlias]), on: connection)
                return result
            })
    }

    private static func tokenEntry(_ entry: PKCS11KeyEntry) -> TokenEntry {
        TokenEntry(
            alias: entry.alias, algorithm: entry.publicKey?.algorithm ?? "unknown",
            specification: entry.publicKey?.specification, subjectKeyId: entry.publicKey?.subjectKeyIdentifier ?? "",
            certificateSubject: entry.certificateDER.flatMap { try? Certificate(derEncoded: $0) }?.subject.normalized)
    }
}
