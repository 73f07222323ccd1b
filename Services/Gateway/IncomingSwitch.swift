import Hummingbird
import SignPeerCore
import SignPeerStore

/// The global `PEERS_INCOMING_ENABLED` switch, cached for the role-cache time so a flood of peer
/// requests while it is off costs no query. A change made through this gateway's admin API is
/// seen at once (``AdminChangeInvalidation``), one made through another replica within `ttl`.
actor IncomingSwitch {
    private let registry: IncomingConnectionRegistry
    private let ttl: Duration
    private var cached: (enabled: Bool, expires: ContinuousClock.Instant)?

    init(registry: IncomingConnectionRegistry, ttl: Duration) {
        self.registry = registry
        self.ttl = ttl
    }

    func isEnabled() async throws -> Bool {
        if let cached, cached.expires > .now { return cached.enabled }
        let enabled = try await registry.isIncomingEnabled()
        remember(enabled)
        return enabled
    }

    /// What a statement that checked the switch itself found.
    func remember(_ enabled: Bool) {
        cached = (enabled, .now + ttl)
    }

    func invalidate() { cached = nil }
}

/// After any admin call that may have changed configuration on this replica, forgets the cached
/// incoming switch (the role directory is invalidated by the rule store itself).
struct AdminChangeInvalidation: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let incoming: IncomingSwitch

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method != .get, request.method != .head, request.uri.path.hasPrefix("/admin") else {
            return try await next(request, context)
        }
        do {
            let response = try await next(request, context)
            await incoming.invalidate()
            return response
        } catch {
            await incoming.invalidate()
            throw error
        }
    }
}
