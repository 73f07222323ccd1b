import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerServiceSupport

/// SPEC §7.2, the CA's second step: checks the issued certificate, then switches the worker to
/// the new key and certificate in **one transaction** — `DEFAULTKEY` := `NEXTCERTSIGNKEY` (which
/// is removed), `SIGNERCERTIFICATE`, `SIGNERCERTIFICATECHAIN`, `PEERS_ISSUED=true` and the audit
/// row. A refusal changes nothing and is audited with its code.
struct CertificateInstallation: Sendable {
    let database: PostgresClient
    let tokens: TokenManager

    /// What the CA sent: a PEM chain (leaf first), or one DER certificate.
    enum Input: Sendable {
        case pemChain([UInt8])
        case der([UInt8])
    }

    func install(workerID: Int, input: Input, principal: Principal?) async throws {
        do {
            let sent = try Self.parse(input)
            let leaf = sent[0]
            guard !leaf.isCA else {
                throw SignPeerError(.notEndEntity, "The leaf certificate is a CA certificate.")
            }
            let installedInHSM = try await installInHSM(sent: sent, input: input, workerID: workerID, principal: principal)
            if installedInHSM == nil {
                try await tokens.withTokenTransaction(String(workerID), database: database) { workers, _, store, connection in
                    let worker = workers.worker
                    let alias = worker.value(PropertyName.nextCertSignKey) ?? worker.value(PropertyName.defaultKey)
                    guard let alias, let entry = store.entries[alias] else {
                        throw SignPeerError(
                            .keyNotFound, "Worker \(worker.name) has no key to install a certificate for.", status: 409)
                    }
                    try await Self.switchKeys(
                        to: sent, input: input, worker: worker, alias: alias, publicKeyDER: entry.key.publicKeyInfoDER,
                        principal: principal, on: connection)
                    return (store, ())
                }
            }
            RenewalMetrics.install(outcome: "installed")
        } catch let error as SignPeerError {
            RenewalMetrics.install(outcome: error.code.rawValue)
            try? await AuditLog.record(
                AuditEvent(
                    .certificateRefused, outcome: .failure, principal: principal, workerID: workerID,
                    details: ["reason": error.code.rawValue]),
                in: database)
            throw error
        }
    }

    /// The checks after the key match and the one-transaction switch of SPEC §7.2, for the key
    /// `alias` whose public key is `publicKeyDER`, whichever token holds it.
    static func switchKeys(
        to sent: [Certificate], input: Input, worker: WorkerRecord, alias: String, publicKeyDER: [UInt8],
        principal: Principal?, on connection: PostgresConnection
    ) async throws {
        let leaf = sent[0]
        guard leaf.hasSamePublicKey(as: publicKeyDER) else {
            throw SignPeerError(.certificateKeyMismatch, "The certificate's public key is not the key '\(alias)'.")
        }
        let chain = try Self.chain(sent: sent, input: input, worker: worker)
        for (certificate, issuer) in zip(chain, chain.dropFirst()) where !certificate.isIssued(by: issuer) {
            throw SignPeerError(
                .chainInvalid, "'\(certificate.subject.normalized)' is not signed by '\(issuer.subject.normalized)'.")
        }
        guard leaf.isValid(at: Date()) else {
            throw SignPeerError(.certificateNotValidNow, "The certificate is not valid now.")
        }
        try await WorkerProperties.set(PropertyName.defaultKey, alias, worker: worker.id, on: connection)
        try await WorkerProperties.remove(PropertyName.nextCertSignKey, worker: worker.id, on: connection)
        try await WorkerProperties.set(PropertyName.signerCertificate, leaf.pem, worker: worker.id, on: connection)
        try await WorkerProperties.set(
            PropertyName.signerCertificateChain, chain.map(\.pem).joined(), worker: worker.id, on: connection)
        try await WorkerProperties.set(PropertyName.peersIssued, "true", worker: worker.id, on: connection)
        try await WorkerProperties.touch(worker: worker.id, on: connection)
        try await AuditLog.append(
            AuditEvent(
                .certificateInstalled, principal: principal, workerID: worker.id, workerName: worker.name,
                details: [
                    "alias": alias, "subject": leaf.subject.normalized, "serialNumber": leaf.serialNumber,
                    "sha256": leaf.sha256Fingerprint, "chainLength": String(chain.count),
                ]), on: connection)
    }

    static func parse(_ input: Input) throws -> [Certificate] {
        do {
            switch input {
            case .der(let bytes): return [try Certificate(derEncoded: bytes)]
            case .pemChain(let bytes):
                let chain = try Certificate.parseChain(pem: String(decoding: bytes, as: UTF8.self))
                guard !chain.isEmpty else { throw SignPeerError(.invalidCertificate, "No certificate was sent.") }
                return chain
            }
        } catch let error as SignPeerError where error.code == .invalidCertificate {
            throw error
        } catch {
            throw SignPeerError(.invalidCertificate, "The certificate could not be parsed.")
        }
    }

    /// With one DER certificate and `PEERS_KEEPCHAIN=true`, the stored CA certificates stay and
    /// only the leaf is replaced; otherwise the chain is what was sent.
    static func chain(sent: [Certificate], input: Input, worker: WorkerRecord) throws -> [Certificate] {
        guard case .der = input, worker.isTrue(PropertyName.peersKeepChain),
            let stored = worker.value(PropertyName.signerCertificateChain),
            let storedChain = try? Certificate.parse(Array(stored.utf8)), storedChain.count > 1
        else { return sent }
        return sent + storedChain.dropFirst()
    }
}
