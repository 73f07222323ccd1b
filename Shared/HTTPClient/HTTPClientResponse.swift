import HTTPTypes

/// A complete HTTP response.
///
/// Any status is a response, not an error: the caller decides what a 404 or 503 means. Use
/// ``expect(_:)`` when only some statuses are acceptable.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var headers: HTTPFields
    public var body: [UInt8]

    public init(status: Int, headers: HTTPFields = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a response header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }

    /// The body decoded as UTF-8 (invalid sequences become U+FFFD).
    public var bodyString: String {
        String(decoding: body, as: UTF8.self)
    }

    /// Returns the response if its status is in `statuses`, otherwise throws
    /// ``HTTPClientError/unexpectedStatus(_:body:)`` with the start of the body, which for the
    /// internal services is their `{"error": ...}` document.
    @discardableResult
    public func expect<Statuses: RangeExpression<Int>>(_ statuses: Statuses) throws(HTTPClientError)
        -> Self
    {
        guard statuses.contains(status) else {
            throw .unexpectedStatus(status, body: String(bodyString.prefix(Self.errorBodyPrefix)))
        }
        return self
    }

    /// How much of an unexpected response's body goes into the error.
    static let errorBodyPrefix = 512
}
