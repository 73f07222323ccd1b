/// Why a request produced no response (or, via ``HTTPClientResponse/expect(_:)``, not an
/// acceptable one).
///
/// URLs in errors have their query and user info removed, and messages never contain header
/// values or bodies sent, so errors can be logged as they are.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not an absolute http(s) URL, or one libcurl cannot parse.
    case invalidURL(String)
    /// Nothing accepted a connection at the URL's host and port.
    case connectionRefused(url: String)
    /// The request's timeout, or the connect timeout, elapsed.
    case timeout(url: String)
    /// TLS handshake or certificate verification failed, on either side.
    case tls(String)
    /// Any other libcurl failure, with its `CURLcode` and message.
    case transport(code: Int, message: String)
    /// The response body exceeded ``HTTPClientConfiguration/maxResponseSize``.
    case responseTooLarge(limit: Int)
    /// Thrown by ``HTTPClientResponse/expect(_:)``: the status and the start of the body.
    case unexpectedStatus(Int, body: String)
    /// The calling task was cancelled.
    case cancelled
    /// The client was shut down before the request completed.
    case shutdown

    public var description: String {
        switch self {
        case .invalidURL(let url): "invalid URL '\(url)'"
        case .connectionRefused(let url): "could not connect to \(url)"
        case .timeout(let url): "request to \(url) timed out"
        case .tls(let message): "TLS failure: \(message)"
        case .transport(let code, let message): "HTTP transport error \(code): \(message)"
        case .responseTooLarge(let limit): "response body larger than \(limit) bytes"
        case .unexpectedStatus(let status, let body): "unexpected HTTP status \(status): \(body)"
        case .cancelled: "request cancelled"
        case .shutdown: "HTTP client shut down"
        }
    }

    /// `url` without user info and query, which may carry credentials.
    static func redacted(_ url: String) -> String {
        var rest = Substring(url.prefix { $0 != "?" && $0 != "#" })
        guard let schemeEnd = rest.firstRange(of: "://") else { return String(rest) }
        let authorityEnd = rest[schemeEnd.upperBound...].firstIndex(of: "/") ?? rest.endIndex
        if let at = rest[schemeEnd.upperBound..<authorityEnd].lastIndex(of: "@") {
            rest.removeSubrange(schemeEnd.upperBound...at)
        }
        return String(rest)
    }
}
