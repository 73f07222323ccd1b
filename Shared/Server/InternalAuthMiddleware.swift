import Hummingbird
import SignPeerCore

/// Refuses every call to an internal service that does not carry the internal credential
/// (401 `internal_credential_required`), except the health and metrics paths that orchestrators
/// and Prometheus call without one.
public struct InternalAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let credential: InternalCredential
    let openPaths: Set<String>

    public init(credential: InternalCredential, openPaths: Set<String> = OperationsRoutes.paths) {
        self.credential = credential
        self.openPaths = openPaths
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if openPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        guard credential.matches(authorizationHeader: request.headers[.authorization]) else {
            context.logger.warning("internal call without a valid credential refused")
            throw SignPeerError.internalCredentialRequired("This service accepts only calls carrying the internal credential.")
        }
        return try await next(request, context)
    }
}

extension Request {
    /// The principal forwarded by the gateway; only trustworthy behind ``InternalAuthMiddleware``.
    public var forwardedPrincipal: Principal? {
        headers[.xSignPeerPrincipal].flatMap(Principal.init(headerValue:))
    }
}
