import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerServer
import SignPeerStore

/// Builds the key-binding list of SPEC §5 with one SQL query and **one** batched call to the
/// renewal service for token and key status, whatever the number of workers.
struct KeyBindingLister: Sendable {
    let repository: WorkerStore
    let renewal: InternalServiceClient
    let certificates: CertificateCache

    func list(requestID: String) async throws -> [KeyBinding] {
        let candidates = try await repository.listingCandidates()
        let listed = TokenHolders(candidates).listed(candidates)
        guard !listed.isEmpty else { return [] }
        let status = try await tokenStatus(for: listed, requestID: requestID)
        return listed.map {
            KeyBindingView.binding($0, status: status[$0.tokenWorker.id], includeChain: false, certificates: certificates)
        }
    }

    func binding(id: Int, requestID: String) async throws -> KeyBinding {
        let candidates = try await repository.listingCandidates(only: id)
        guard let match = TokenHolders(candidates).listed(candidates).first(where: { $0.worker.id == id }) else {
            throw SignPeerError.keyBindingNotFound("No key binding with id \(id).")
        }
        let status = try await tokenStatus(for: [match], requestID: requestID)
        return KeyBindingView.binding(
            match, status: status[match.tokenWorker.id], includeChain: true, certificates: certificates)
    }

    private func tokenStatus(for listed: [TokenHolders.Listed], requestID: String) async throws
        -> [Int: TokenStatusResponse.Token]
    {
        var aliases: [Int: Set<String>] = [:]
        for item in listed { aliases[item.tokenWorker.id, default: []].formUnion(KeyBindingView.wantedAliases(item.worker)) }
        let request = TokenStatusRequest(
            tokens: aliases.keys.sorted().map { TokenStatusRequest.Token(workerId: $0, aliases: aliases[$0]!.sorted()) })
        let response: TokenStatusResponse = try await renewal.call(
            "POST", "/internal/v1/tokens/status", body: request, requestID: requestID)
        return Dictionary(response.tokens.map { ($0.workerId, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
