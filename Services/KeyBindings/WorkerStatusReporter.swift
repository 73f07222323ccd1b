import SignPeerCore
import SignPeerCrypto
import SignPeerServer
import SignPeerStore

/// `getstatus brief all` and the Admin Web's worker table: every worker with its token state
/// (from the renewal service in one batched call), exposure and current certificate.
struct WorkerStatusReporter: Sendable {
    let repository: WorkerStore
    let renewal: InternalServiceClient
    let certificates: CertificateCache

    func statuses(requestID: String) async throws -> [WorkerStatus] {
        let workers = try await repository.allWorkers()
        let rule = TokenHolders(workers)
        let holders = Set(workers.compactMap { rule.holder(of: $0)?.id })
        var tokens: [Int: Bool] = [:]
        if !holders.isEmpty {
            let response: TokenStatusResponse = try await renewal.call(
                "POST", "/internal/v1/tokens/status",
                body: TokenStatusRequest(tokens: holders.sorted().map { .init(workerId: $0, aliases: []) }),
                requestID: requestID)
            for token in response.tokens { tokens[token.workerId] = token.active }
        }
        return workers.map { worker in
            let holder = rule.holder(of: worker)
            let signer = worker.value(PropertyName.signerCertificate).flatMap(certificates.certificates)?.first
            return WorkerStatus(
                id: worker.id, name: worker.name, type: worker.type.rawValue,
                tokenStatus: holder.map { tokens[$0.id] == true ? "ACTIVE" : "OFFLINE" },
                tokenWorkerName: holder?.name, exposedToPeers: rule.isListed(worker),
                disabled: worker.isTrue(PropertyName.disabled), keyAlias: worker.value(PropertyName.defaultKey),
                nextKeyAlias: worker.value(PropertyName.nextCertSignKey), certificateSubject: signer?.subject.normalized,
                certificateNotAfter: signer.map { RFC3339.string(from: $0.notAfter) },
                issuedByPeer: worker.isTrue(PropertyName.peersIssued))
        }
    }
}
