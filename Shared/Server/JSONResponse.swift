import Foundation
import Hummingbird
import SignPeerCore

/// Builds JSON responses with a fixed encoder configuration (sorted keys, ISO-8601 dates), so
/// every service answers in the same shape.
public enum JSONResponse {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    public static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        make(encoded: encode(value), status: status)
    }

    /// A JSON answer whose body is already encoded (with ``encode(_:)``).
    public static func make(encoded body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// The header fields of every JSON answer but its length.
    public static let headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]

    public static func encode<T: Encodable>(_ value: T) -> ByteBuffer {
        ByteBuffer(bytes: (try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    public static func error(_ error: SignPeerError) -> Response {
        var response = make(ErrorBody(error), status: error.httpStatus)
        if error.code == .serviceUnavailable { response.headers[.retryAfter] = "5" }
        return response
    }
}

extension JSONResponse {
    /// The ``SignPeerError`` an error body carries.
    public static func decodeError(_ body: [UInt8]) throws -> SignPeerError {
        let decoded = try JSONDecoder().decode(ErrorBody.self, from: Data(body))
        return SignPeerError(.init(rawValue: decoded.error.code), decoded.error.message)
    }
}
