import SignPeerCore
import SignPeerPostgres
import SignPeerServer
import SignPeerStore

/// A worker together with the worker that holds its crypto token (itself, or its `CRYPTOTOKEN`
/// worker, as ``TokenHolders`` decides), read inside a transaction with both rows locked
/// (`FOR UPDATE`, worker first), so two renewals or installs of one binding — or two key changes
/// in one shared token — serialize.
struct TokenWorkers: Sendable {
    var worker: WorkerRecord
    var holder: WorkerRecord
    var kind: TokenKind

    /// Who is asking: an administrator may reach any worker; a peer only a listed binding (SPEC §5),
    /// checked here, with the rows locked, so a `PEERS_VISIBLE=false` committed before wins.
    enum Access: Sendable {
        case admin
        case peer
    }

    static func lock(_ reference: String, on connection: PostgresConnection, access: Access = .admin) async throws
        -> TokenWorkers
    {
        guard WorkerReference.isValid(reference), let worker = try await WorkerLookup.lockRecord(reference, on: connection) else {
            throw access == .peer ? notListed(reference) : SignPeerError.workerNotFound("No worker '\(reference.prefix(64))'.")
        }
        var named: [WorkerRecord] = []
        if let tokenWorker = TokenHolders.reference(of: worker),
            let found = try await WorkerLookup.lockRecord(tokenWorker, on: connection)
        {
            named.append(found)
        }
        let rule = TokenHolders(named)
        if access == .peer, !rule.isListed(worker) { throw notListed(reference) }
        guard let holder = rule.holder(of: worker) else {
            if let tokenWorker = TokenHolders.reference(of: worker) {
                throw SignPeerError.cryptoTokenOffline("Worker \(worker.name) has no crypto token (\(tokenWorker.prefix(64)) is not a crypto worker).")
            }
            throw SignPeerError.cryptoTokenOffline("Worker \(worker.name) has no crypto token.")
        }
        return TokenWorkers(worker: worker, holder: holder, kind: try TokenKind(worker: holder))
    }

    static func notListed(_ reference: String) -> SignPeerError {
        SignPeerError.keyBindingNotFound("No key binding with id \(reference.prefix(64)).")
    }
}
