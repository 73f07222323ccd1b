import Foundation
import Hummingbird
import Logging

/// One log line per request with method, path, status and duration; the logger's metadata
/// carries the request id. Query strings are not logged (they could carry identifiers).
public struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        // Probes and scrapes come every few seconds: keep them out of the info log.
        let level: Logger.Level = OperationsRoutes.paths.contains(request.uri.path) && response.status.code < 400 ? .debug : .info
        context.logger.log(
            level: level, "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(Self.twoDecimals(milliseconds)),
            ])
        return response
    }

    /// `1.25` for 1.2468: what `String(format: "%.2f")` prints, without its formatter cost.
    static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((max(0, value) * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
