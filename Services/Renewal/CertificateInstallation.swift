import Foundation
import Logging
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerStore

/// SPEC §7.2, the CA's second step: checks the issued certificate, then switches the worker to
/// the new key and certificate in **one transaction** that has locked the worker and token rows
/// and re-checked that the binding is still listed — `DEFAULTKEY` := `NEXTCERTSIGNKEY` (which
/// is removed), `SIGNERCERTIFICATE`, `SIGNERCERTIFICATECHAIN`, `PEERS_ISSUED=true` and the audit
/// row. Answers the updated binding (SPEC §5), composed here from the committed worker and the
/// token in memory, so the gateway needs no second call. The replaced key is recorded as superseded
/// and, with `PEERS_KEEPOLDKEYS`, the oldest superseded keys are deleted in the same transaction
/// (``SupersededKeys``). A refusal changes nothing and is audited with its code (except for a
/// binding that is not listed: a peer cannot touch it).
struct CertificateInstallation: Sendable {
    let database: PostgresClient
    let tokens: TokenManager
    let certificates: CertificateCache

    /// What the CA sent: a PEM chain (leaf first), or one DER certificate.
    enum Input: Sendable {
        case pemChain([UInt8])
        case der([UInt8])
    }

    /// The checked certificate and chain to store, and the key alias they belong to.
    struct Plan: Sendable {
        var alias: String
        var leaf: Certificate
        var chain: [Certificate]
        /// The token as the checks saw it, for pruning superseded keys in the commit.
        var token: (store: PKCS12KeyStore, session: CryptoTokenSession)?
    }

    func install(workerID: Int, input: Input, principal: Principal?) async throws -> KeyBinding {
        do {
            let binding: (WorkerRecord, WorkerRecord)
            if let inHSM = try await installInHSM(input: input, workerID: workerID, principal: principal) {
                binding = inHSM
            } else {
                binding = try await tokens.withTokenChange(
                    String(workerID), access: .peer, database: database,
                    prepare: { workers, session, store in
                        var plan = try await Self.check(input, for: workers.worker) { store.entries[$0]?.key.publicKeyInfoDER }
                        plan.token = (store, session)
                        return plan
                    },
                    commit: { workers, plan, connection in
                        let switched = try await Self.switchKeys(
                            plan, workers: workers, workerID: workerID, principal: principal, on: connection)
                        var pruned: PKCS12KeyStore?
                        if let keep = SupersededKeys.keep(workers.worker), let token = plan.token {
                            pruned = try await SupersededKeys.prune(
                                keep: keep, worker: workers.worker, holder: workers.holder, token: token,
                                principal: principal, on: connection)
                        }
                        return (pruned, switched)
                    })
            }
            RenewalMetrics.install(outcome: "installed")
            return await view(worker: binding.0, holder: binding.1)
        } catch let error as SignPeerError {
            RenewalMetrics.install(outcome: error.code.rawValue)
            if error.code != .keyBindingNotFound {
                do {
                    try await AuditLog.record(
                        AuditEvent(
                            .certificateRefused, outcome: .failure, principal: principal, workerID: workerID,
                            details: ["reason": error.code.rawValue]),
                        in: database)
                } catch let auditError {
                    // The refusal stands; the operator must learn that its audit row is missing.
                    tokens.logger.error(
                        "refused install could not be audited",
                        metadata: ["worker": .stringConvertible(workerID), "cause": .string(String(describing: auditError))])
                }
            }
            throw error
        }
    }

    /// The SPEC §7.2 checks, in order, against the worker's key in the token, whichever token
    /// holds it: `publicKey` answers the DER public key of an alias (nil: no such key).
    static func check(
        _ input: Input, for worker: WorkerRecord, publicKey: @Sendable (String) async throws -> [UInt8]?
    ) async throws -> Plan {
        let sent = try parse(input)
        try checkShape(sent)
        let leaf = sent[0]
        guard !leaf.isCA else {
            throw SignPeerError.notEndEntity("The leaf certificate is a CA certificate.")
        }
        let alias = worker.value(PropertyName.nextCertSignKey) ?? worker.value(PropertyName.defaultKey)
        guard let alias, let publicKeyDER = try await publicKey(alias) else {
            throw SignPeerError.keyNotFound("Worker \(worker.name) has no key to install a certificate for.")
        }
        guard leaf.hasSamePublicKey(as: publicKeyDER) else {
            throw SignPeerError.certificateKeyMismatch("The certificate's public key is not the key '\(alias)'.")
        }
        let chain = try Self.chain(sent: sent, input: input, worker: worker)
        for (certificate, issuer) in zip(chain, chain.dropFirst()) where !certificate.isIssued(by: issuer) {
            throw SignPeerError.chainInvalid("'\(certificate.subject.normalized)' is not signed by '\(issuer.subject.normalized)'.")
        }
        guard leaf.isValid(at: Date()) else {
            throw SignPeerError.certificateNotValidNow("The certificate is not valid now.")
        }
        return Plan(alias: alias, leaf: leaf, chain: chain)
    }

    /// The one-transaction switch of SPEC §7.2 to the checked key and certificate, audit row
    /// last; answers the updated worker and its token holder.
    static func switchKeys(
        _ plan: Plan, workers: TokenWorkers, workerID: Int, principal: Principal?, on connection: PostgresConnection
    ) async throws -> (WorkerRecord, WorkerRecord) {
        let worker = workers.worker
        try await PropertyWriter.set(
            [
                (PropertyName.defaultKey, plan.alias), (PropertyName.nextCertSignKey, nil),
                (PropertyName.signerCertificate, plan.leaf.pem),
                (PropertyName.signerCertificateChain, plan.chain.map(\.pem).joined()),
                (PropertyName.peersIssued, "true"),
            ], worker: worker.id, on: connection)
        guard let updated = try await WorkerLookup.record(id: worker.id, on: connection) else {
            throw TokenWorkers.notListed(String(workerID))
        }
        try await AuditLog.append(
            AuditEvent(
                .certificateInstalled, principal: principal, workerID: worker.id, workerName: worker.name,
                details: [
                    "alias": plan.alias, "subject": plan.leaf.subject.normalized,
                    "serialNumber": plan.leaf.serialNumber, "sha256": plan.leaf.sha256Fingerprint,
                    "chainLength": String(plan.chain.count),
                ]), on: connection)
        if let previous = worker.value(PropertyName.defaultKey), previous != plan.alias {
            try await SupersededKeyRows.record(previous, worker: worker.id, holder: workers.holder.id, on: connection)
        }
        return (updated, workers.holder)
    }

    /// The binding as a listing shows it, with the token's key status from this service's memory.
    private func view(worker: WorkerRecord, holder: WorkerRecord) async -> KeyBinding {
        let status = await tokens.status(
            TokenStatusRequest(tokens: [.init(workerId: holder.id, aliases: KeyBindingView.wantedAliases(worker))]))
        return KeyBindingView.binding(
            TokenHolders.Listed(worker: worker, tokenWorker: holder), status: status.tokens.first, includeChain: true,
            certificates: certificates)
    }

    static func parse(_ input: Input) throws -> [Certificate] {
        do {
            switch input {
            case .der(let bytes): return [try Certificate(derEncoded: bytes)]
            case .pemChain(let bytes):
                let chain = try Certificate.parseChain(pem: String(decoding: bytes, as: UTF8.self))
                guard !chain.isEmpty else { throw SignPeerError.invalidCertificate("No certificate was sent.") }
                return chain
            }
        } catch let error as SignPeerError where error.code == .invalidCertificate {
            throw error
        } catch {
            throw SignPeerError.invalidCertificate("The certificate could not be parsed.")
        }
    }

    /// A chain is at most ``maxChainLength`` certificates, none of them repeated (a leaf with
    /// hundreds of copies of its CA would otherwise be stored as sent).
    static func checkShape(_ chain: [Certificate]) throws {
        guard chain.count <= maxChainLength else {
            throw SignPeerError.chainInvalid(
                "A chain may hold at most \(maxChainLength) certificates; \(chain.count) were sent.")
        }
        guard Set(chain.map(\.der)).count == chain.count else {
            throw SignPeerError.chainInvalid("The chain holds the same certificate more than once.")
        }
    }

    static let maxChainLength = 10

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
