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
        if let roles = cachedRoles(for: identity) { return roles }
        let key = Self.key(identity)
        let now = ContinuousClock.now
        let roles = try await RoleRuleStore.roles(
            serialNumber: identity.serialNumber, issuerMatch: identity.issuerMatch, in: database)
        cache.set(Entry(roles: roles, expires: now + ttl), for: key)
        return roles
    }

    /// The roles of `identity` when an answer younger than `ttl` is cached, without waiting.
    func cachedRoles(for identity: ClientIdentity) -> [Role]? {
        guard let entry = cache[Self.key(identity)], entry.expires > ContinuousClock.now else { return nil }
        return entry.roles
    }

    private static func key(_ identity: ClientIdentity) -> String {
        identity.serialNumber + "\n" + identity.issuerMatch
    }
}
