import Hummingbird
import Metrics
import SignPeerCore

/// Counts peer requests by operation (the route) and outcome (`ok` or the error code), so
/// operators can alert on refused or failing CAs (`signpeer_peer_requests_total`, with
/// `protocol="json"`; the EJBCA endpoint counts with `protocol="ejbca"`).
struct PeerMetricsMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let operation = "\(request.method.rawValue) \(context.endpointPath ?? request.uri.path)"
        do {
            let response = try await next(request, context)
            Counter(label: "signpeer_peer_requests_total", dimensions: [("operation", operation), ("outcome", "ok"), ("protocol", "json")]).increment()
            return response
        } catch {
            let code = (error as? SignPeerError)?.code.rawValue ?? "error"
            Counter(label: "signpeer_peer_requests_total", dimensions: [("operation", operation), ("outcome", code), ("protocol", "json")]).increment()
            throw error
        }
    }
}
