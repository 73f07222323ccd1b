import Foundation
import SignPeerCore
import SignPeerPostgres
import SignPeerStore

/// Looks up the roles of a client certificate in `role_rules`, caching each answer for a short
/// time so a burst of requests costs one query, while a rule added or removed on any gateway
/// replica takes effect everywhere within `ttl` (SPEC §4, no restart needed).
final class RoleDirectory: Sendable {
    private struct Entry: Sendable {
        var roles: [Role]
        var expires: ContinuousClock.Instant
    }

    private let database: PostgresClient
    private let ttl: Duration
    private let cache = BoundedCache<String, Entry>(capacity: 10_000)

    init(database: PostgresClient, ttl: Duration) {
        self.database = database
        self.ttl = ttl
    }

    /// Forgets every cached answer (after a rule changed on this replica).
    func invalidate() { cache.removeAll() }

    func roles(for identity: ClientIdentity) async throws -> [Role] {
        let key = identity.serialNumber + "\n" + identity.issuerMatch
        let now = ContinuousClock.now
        if let entry = cache[key], entry.expires > now { return entry.roles }
        let roles = try await RoleRuleStore.roles(
            serialNumber: identity.serialNumber, issuerMatch: identity.issuerMatch, in: database)
        cache.set(Entry(roles: roles, expires: now + ttl), for: key)
        return roles
    }
}
