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
        AccessLog.record(
            context.logger, method: request.method, path: request.uri.path, status: response.status,
            elapsed: ContinuousClock.now - start)
        return response
    }
}

/// The access log line of a request, written by ``AccessLogMiddleware`` for routed requests and
/// by ``EventLoopAnswerHandler`` for those answered on the event loop.
enum AccessLog {
    /// `metadata` is added to the logger's (the request id, when the logger does not carry it).
    static func record(
        _ logger: Logger, method: HTTPRequest.Method, path: String, status: HTTPResponse.Status, elapsed: Duration,
        metadata: Logger.Metadata = [:]
    ) {
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        // Probes and scrapes come every few seconds: keep them out of the info log.
        let level: Logger.Level = OperationsRoutes.paths.contains(path) && status.code < 400 ? .debug : .info
        var fields = Logger.Metadata(minimumCapacity: metadata.count + 4)
        fields.merge(metadata) { _, new in new }
        fields["method"] = .string(method.rawValue)
        fields["path"] = .string(path)
        fields["status"] = .stringConvertible(status.code)
        fields["duration_ms"] = .string(twoDecimals(milliseconds))
        logger.log(level: level, "request", metadata: fields)
    }

    /// `1.25` for 1.2468: what `String(format: "%.2f")` prints, without its formatter cost.
    static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((max(0, value) * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
