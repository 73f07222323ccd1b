import HTTPTypes
import Hummingbird
import Logging
import SignPeerCore

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
        let id = Self.acceptable(request.headers[.xRequestID]) ?? Self.makeID()
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.xRequestID] = id
        return response
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

    static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
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
