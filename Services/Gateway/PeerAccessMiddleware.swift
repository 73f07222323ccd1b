import Hummingbird
import SignPeerCore
import SignPeerServer
import SignPeerStore

/// SPEC §4 for every `/peer/v1/...` request, in this order: incoming connections must be enabled
/// (403 `peers_incoming_disabled`, no registry row); the client must be in the Peer System role
/// (403 `peer_not_authorized`, recorded in the registry as not authorized); an accepted request is
/// recorded in the registry through the ``IncomingRecorder`` (a busy peer: one write a second).
/// Refusals go through the ``RefusalRecorder`` (SPEC §11 "Floods"): a refused client costs cache
/// look-ups, and at most one registry/audit write per window.
struct PeerAccessMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let recorder: IncomingRecorder
    let incoming: IncomingSwitch
    let refusals: RefusalRecorder

    static let incomingDisabled = SignPeerError.peersIncomingDisabled("Incoming peer connections are disabled on this signer.")
    static let notAuthorized = SignPeerError.peerNotAuthorized("This client certificate is not authorized as a peer system.")

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard try await incoming.isEnabled() else {
            throw try await refuse(Self.incomingDisabled, principal, request, context)
        }
        guard principal.hasRole(.peerSystem) else {
            throw try await refuse(Self.notAuthorized, principal, request, context)
        }
        try await refusals.accepted(principal, logger: context.logger)
        let recorded = try await recorder.record(
            principal, issuerMatch: context.issuerMatch, remoteAddress: context.remoteAddress)
        guard recorded else {
            await incoming.remember(false)
            throw try await refuse(Self.incomingDisabled, principal, request, context)
        }
        return try await next(request, context)
    }

    private func refuse(_ error: SignPeerError, _ principal: Principal, _ request: Request, _ context: Context)
        async throws -> SignPeerError
    {
        try await refusals.refuse(
            error, principal: principal, issuerMatch: context.issuerMatch, path: request.uri.path,
            remoteAddress: context.remoteAddress, logger: context.logger)
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
