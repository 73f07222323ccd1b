import Hummingbird
import Logging
import SignPeerCore

/// Turns every thrown error into the SPEC's JSON error body with a stable code and the status of
/// that code (``ErrorMapping``); every 5xx is logged with its cause and the request id (in the
/// logger's metadata), never with the client's input.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let mapped = ErrorMapping.map(error)
            if mapped.httpStatus.code >= 500 {
                context.logger.error(
                    "request failed",
                    metadata: ["code": .string(mapped.code.rawValue), "cause": .string(ErrorMapping.cause(of: error))])
            }
            return JSONResponse.error(mapped)
        }
    }
}
