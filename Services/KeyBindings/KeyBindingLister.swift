import Foundation
import SignPeerCore
import SignPeerServiceSupport

/// Builds the key-binding list of SPEC §5 with one SQL query and **one** batched call to the
/// renewal service for token and key status, whatever the number of workers.
struct KeyBindingLister: Sendable {
    let repository: WorkerRepository
    let renewal: InternalServiceClient
    let certificates: CertificateCache

    /// A worker that SPEC §5 lists, with the worker holding its token.
    struct Exposed {
        var worker: WorkerRecord
        var tokenWorker: WorkerRecord
    }

    func list(requestID: String) async throws -> [KeyBinding] {
        let exposed = Self.exposedWorkers(try await repository.listingCandidates())
        guard !exposed.isEmpty else { return [] }
        let status = try await tokenStatus(for: exposed, requestID: requestID)
        return exposed.map { binding($0, status: status[$0.tokenWorker.id], includeChain: false) }
    }

    func binding(id: Int, requestID: String) async throws -> KeyBinding {
        let exposed = Self.exposedWorkers(try await repository.listingCandidates(only: id))
        guard let match = exposed.first(where: { $0.worker.id == id }) else {
            throw SignPeerError(.keyBindingNotFound, "No key binding with id \(id).", status: 404)
        }
        let status = try await tokenStatus(for: [match], requestID: requestID)
        return binding(match, status: status[match.tokenWorker.id], includeChain: true)
    }

    /// SPEC §5: PROCESSABLE, `PEERS_VISIBLE` true, and a token (its own, or a `CRYPTOTOKEN`
    /// reference to an existing CRYPTO_WORKER, matched by name case-insensitively).
    static func exposedWorkers(_ candidates: [WorkerRecord]) -> [Exposed] {
        var cryptoWorkers: [String: WorkerRecord] = [:]
        for worker in candidates where worker.type == .cryptoWorker { cryptoWorkers[worker.name.uppercased()] = worker }
        return candidates.compactMap { worker in
            guard worker.type == .processable, worker.isTrue(PropertyName.peersVisible) else { return nil }
            if let reference = worker.value(PropertyName.cryptoToken) {
                guard let holder = cryptoWorkers[reference.uppercased()] else { return nil }
                return Exposed(worker: worker, tokenWorker: holder)
            }
            return worker.hasInternalToken ? Exposed(worker: worker, tokenWorker: worker) : nil
        }
    }

    private func tokenStatus(for exposed: [Exposed], requestID: String) async throws -> [Int: TokenStatusResponse.Token] {
        var aliases: [Int: Set<String>] = [:]
        for item in exposed {
            let wanted = [PropertyName.defaultKey, PropertyName.nextCertSignKey].compactMap(item.worker.value)
            aliases[item.tokenWorker.id, default: []].formUnion(wanted)
        }
        let request = TokenStatusRequest(
            tokens: aliases.keys.sorted().map { TokenStatusRequest.Token(workerId: $0, aliases: aliases[$0]!.sorted()) })
        let response: TokenStatusResponse = try await renewal.call(
            "POST", "/internal/v1/tokens/status", body: request, requestID: requestID)
        return Dictionary(response.tokens.map { ($0.workerId, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func binding(_ item: Exposed, status: TokenStatusResponse.Token?, includeChain: Bool) -> KeyBinding {
        let worker = item.worker
        let defaultKey = worker.value(PropertyName.defaultKey)
        let nextKey = worker.value(PropertyName.nextCertSignKey)
        let keys = Dictionary((status?.keys ?? []).map { ($0.alias, $0) }, uniquingKeysWith: { first, _ in first })
        let keyAlias: String? =
            if let defaultKey, keys[defaultKey] != nil { defaultKey }
            else if let nextKey, keys[nextKey] != nil { nextKey }
            else { defaultKey }
        let key = keyAlias.flatMap { keys[$0] }
        let active = (status?.active ?? false) && key != nil

        let chain = worker.value(PropertyName.signerCertificateChain).flatMap(certificates.certificates)
        let signer = worker.value(PropertyName.signerCertificate).flatMap(certificates.certificates)?.first
            ?? chain?.first
        let issued = worker.isTrue(PropertyName.peersIssued) && signer != nil
        return KeyBinding(
            id: worker.id, name: worker.name,
            status: worker.isTrue(PropertyName.disabled) ? "DISABLED" : "ACTIVE",
            cryptoTokenId: item.tokenWorker.id, cryptoTokenName: item.tokenWorker.name,
            cryptoTokenActive: active, keyAlias: keyAlias, nextKeyAlias: nextKey,
            keyAlgorithm: key?.algorithm, keySpecification: key?.specification, subjectKeyId: key?.subjectKeyId,
            certificateFingerprint: issued ? signer?.sha1Fingerprint : nil,
            certificateFingerprintSha256: issued ? signer?.sha256Fingerprint : nil,
            certificateNotAfter: signer.map { RFC3339.string(from: $0.notAfter) },
            certificateChain: includeChain && issued ? (chain ?? signer.map { [$0] })?.map(\.pem).joined() : nil)
    }
}
