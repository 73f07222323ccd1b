import HTTPTypes
import Hummingbird
import Logging
import SignPeerCore
import Synchronization

/// Gives every request an id that travels across the internal calls (`X-Request-ID`).
///
/// An incoming id is kept when it is short and made of safe characters (so it cannot inject into
/// logs); otherwise a new random one is made. The id is put in the request logger's metadata as
/// `request_id` and echoed in the response.
public struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let id = RequestIDs.id(for: request.headers[.xRequestID])
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.xRequestID] = id
        return response
    }
}

/// New request ids: 32 hex digits, a random prefix drawn once per process and a counter, so ids
/// are unique across replicas and restarts without a system call for randomness per request.
/// They correlate log lines; nothing relies on them being unpredictable.
enum RequestIDs {
    /// The id of a request whose `X-Request-ID` is `incoming`: that id when it is acceptable,
    /// a new one otherwise.
    static func id(for incoming: String?) -> String {
        acceptable(incoming) ?? next()
    }

    static func acceptable(_ value: String?) -> String? {
        guard let value, (1...64).contains(value.utf8.count),
            value.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                    || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F || byte == 0x2E
            })
        else { return nil }
        return value
    }

    private static let processPrefix: String = {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }()

    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return processPrefix + Hex.encode((0..<8).map { UInt8(truncatingIfNeeded: count >> (56 - 8 * $0)) })
    }
}

extension HTTPField.Name {
    public static let xRequestID = Self(InternalHeaders.requestID)!
    public static let xSignPeerPrincipal = Self(InternalHeaders.principal)!
}

extension RequestContext {
    /// The id set by ``RequestIDMiddleware``.
    public var requestID: String {
        logger[metadataKey: "request_id"]?.description ?? "-"
    }
}
