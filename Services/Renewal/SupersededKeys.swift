import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerStore

/// `PEERS_KEEPOLDKEYS=<n>` (SPEC §13). Every install records the key it replaced as a superseded
/// key of that worker (``SupersededKeyRows``); when the worker sets the property, the install then
/// deletes all but the `n` most recent of the worker's superseded keys from the token, each
/// deletion audited, in the install's transaction. Unset keeps every key, as SignServer does.
///
/// Only keys an install superseded for *this* worker are candidates, so a shared token's keys of
/// other workers — and keys superseded before this was recorded — are never touched; an alias
/// that some worker of the token still names as `DEFAULTKEY` or `NEXTCERTSIGNKEY` is kept too.
enum SupersededKeys {
    /// The configured number of superseded keys to keep, or nil to keep all.
    static func keep(_ worker: WorkerRecord) -> Int? {
        worker.value(PropertyName.peersKeepOldKeys).flatMap { Int($0.trimmingWhitespace()) }.flatMap { $0 >= 0 ? $0 : nil }
    }

    /// Deletes all but the `keep` most recent superseded keys of `worker` from the token (its rows
    /// or file, through ``TokenStorage``) and from the record, auditing each; returns the token's
    /// new keys, or nil when nothing was deleted.
    static func prune(
        keep: Int, worker: WorkerRecord, holder: WorkerRecord, token: (store: PKCS12KeyStore, session: CryptoTokenSession),
        principal: Principal?, on connection: PostgresConnection
    ) async throws -> PKCS12KeyStore? {
        var store = token.store
        for alias in try await SupersededKeyRows.beyond(keep: keep, worker: worker.id, holder: holder, on: connection) {
            try await SupersededKeyRows.delete(alias, holder: holder.id, on: connection)
            guard store.entries.removeValue(forKey: alias) != nil else { continue }
            try await audit(alias, keep: keep, worker: worker, holder: holder, principal: principal, on: connection)
        }
        let change = try await TokenStorage.change(from: token.store, to: store, session: token.session)
        if case .none = change { return nil }
        try await TokenStorage.write(change, holderID: holder.id, kind: token.session.kind, on: connection)
        return store
    }

    /// The `KEY_REMOVED` row of one pruned key, in the transaction that removed its record.
    static func audit(
        _ alias: String, keep: Int, worker: WorkerRecord, holder: WorkerRecord, principal: Principal?,
        on connection: PostgresConnection
    ) async throws {
        try await AuditLog.append(
            AuditEvent(
                .keyRemoved, principal: principal, workerID: worker.id, workerName: worker.name,
                details: ["alias": alias, "reason": "\(PropertyName.peersKeepOldKeys)=\(keep)", "tokenWorker": holder.name]),
            on: connection)
    }
}
