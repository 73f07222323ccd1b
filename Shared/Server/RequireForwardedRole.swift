import Hummingbird
import SignPeerCore

/// Defence in depth on an internal service: the gateway already authorized the call, but the
/// forwarded principal must carry `role` here too (403 `forbidden` otherwise).
public struct RequireForwardedRole<Context: RequestContext>: RouterMiddleware {
    let role: Role

    public init(_ role: Role) { self.role = role }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let principal = request.forwardedPrincipal, principal.hasRole(role) else {
            throw SignPeerError.forbidden("This call requires the \(role.rawValue) role.")
        }
        return try await next(request, context)
    }
}
