import Hummingbird
import SignPeerCore
import SignPeerServer
import SignPeerStore

/// SPEC §4 for every `/peer/v1/...` request, in this order: incoming connections must be enabled
/// (403 `peers_incoming_disabled`, nothing recorded); the connection is recorded in the registry;
/// the client must be in the Peer System role (403 `peer_not_authorized`).
///
/// A read (GET) by a client in the Peer System role is forwarded while the registry row is
/// written, and its answer is used only once the write confirmed that incoming connections are
/// enabled: the registry's round trip then adds nothing to a listing's latency, and a refused
/// answer is exactly what the sequential order gives. Writes (renewal, install) and clients
/// without the role wait for the registry first, so nothing is forwarded for them before the
/// checks.
struct PeerAccessMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let registry: IncomingConnectionRegistry

    static let incomingDisabled = SignPeerError.peersIncomingDisabled(
        "Incoming peer connections are disabled on this signer.")

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        if request.method == .get, principal.hasRole(.peerSystem) {
            async let recorded = registry.recordIfIncomingEnabled(
                principal, issuerMatch: context.issuerMatch, remoteAddress: context.remoteAddress)
            let outcome: Result<Response, any Error>
            do {
                outcome = .success(try await next(request, context))
            } catch {
                outcome = .failure(error)
            }
            guard try await recorded else {
                throw try await deny(Self.incomingDisabled, principal, request, context)
            }
            return try outcome.get()
        }
        let enabled = try await registry.recordIfIncomingEnabled(
            principal, issuerMatch: context.issuerMatch,
            remoteAddress: context.remoteAddress)
        guard enabled else {
            throw try await deny(Self.incomingDisabled, principal, request, context)
        }
        guard principal.hasRole(.peerSystem) else {
            throw try await deny(
                SignPeerError.peerNotAuthorized("This client certificate is not authorized as a peer system."),
                principal, request, context)
        }
        return try await next(request, context)
    }

    /// Logs and audits a refused peer request, and returns the error to answer with.
    private func deny(_ error: SignPeerError, _ principal: Principal, _ request: Request, _ context: Context)
        async throws -> SignPeerError
    {
        context.logger.notice(
            "peer request refused", metadata: ["code": .string(error.code.rawValue), "subject": .string(principal.subjectDN)])
        try await AuditLog.record(
            AuditEvent(
                .peerRequestDenied, outcome: .failure, principal: principal,
                details: ["reason": error.code.rawValue, "path": request.uri.path, "remoteAddress": context.remoteAddress]),
            in: registry.database)
        return error
    }
}

/// Requires a role of the authenticated principal (403 `forbidden`).
struct RequireRole: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let roles: Set<Role>

    init(_ roles: Role...) { self.roles = Set(roles) }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard !roles.isDisjoint(with: principal.roles) else {
            throw SignPeerError.forbidden("This call requires the \(roles.map(\.rawValue).sorted().joined(separator: " or ")) role.")
        }
        return try await next(request, context)
    }
}
