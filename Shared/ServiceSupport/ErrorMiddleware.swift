import Hummingbird
import Logging
import SignPeerCore
import SignPeerPostgres

/// Turns every thrown error into the SPEC's JSON error body with a stable code.
///
/// ``SignPeerError`` is answered as it is; Hummingbird's own errors (no route, body too large,
/// undecodable JSON) are mapped to their SPEC codes; anything else becomes a 500
/// `internal_error` whose details are logged, never sent to the client.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let mapped = Self.map(error)
            if mapped.status >= 500 {
                context.logger.error(
                    "request failed",
                    metadata: ["code": .string(mapped.code.rawValue), "error": .string(String(reflecting: type(of: error)))])
            }
            return JSONResponse.error(mapped)
        }
    }

    static func map(_ error: any Error) -> SignPeerError {
        if let error = error as? SignPeerError { return error }
        if let error = error as? PostgresError { return DatabaseErrorAnswer.answer(for: error) }
        if let error = error as? any HTTPResponseError {
            switch error.status {
            case .notFound: return SignPeerError(.notFound, "No such resource.", status: 404)
            case .contentTooLarge:
                return SignPeerError(.requestTooLarge, "The request body is larger than allowed.", status: 413)
            case .methodNotAllowed:
                return SignPeerError(.methodNotAllowed, "Method not allowed on this resource.", status: 405)
            case .badRequest:
                return SignPeerError(.invalidRequest, "The request could not be understood.", status: 400)
            case .unauthorized:
                return SignPeerError(.clientCertificateRequired, "Authentication required.", status: 401)
            default:
                if error.status.code < 500 {
                    return SignPeerError(.invalidRequest, error.status.reasonPhrase, status: error.status.code)
                }
            }
        }
        if error is DecodingError {
            return SignPeerError(.invalidRequest, "The request body is not valid JSON for this call.")
        }
        return SignPeerError(.internalError, "Internal error.", status: 500)
    }
}
