/// One HTTP request for ``HTTPClient/execute(_:)``.
///
/// A plain value so callers can build, copy and log it (its description leaves out header
/// values and the body, which carry credentials).
public struct HTTPClientRequest: Sendable, CustomStringConvertible {
    /// The method word, sent as is ("GET", "POST", "PUT", "DELETE", "HEAD", ...).
    public var method: String
    /// An absolute `http://` or `https://` URL.
    public var url: String
    public var headers: HTTPClientHeaders
    /// The request body; `nil` sends none.
    public var body: [UInt8]?
    /// Limit for the whole exchange, from queueing for a connection to the last body byte.
    /// Default 10 s.
    public var timeout: Duration

    public init(
        method: String = "GET", url: String, headers: HTTPClientHeaders = [:],
        body: [UInt8]? = nil, timeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    public var description: String { "\(method) \(HTTPClientError.redacted(url))" }

    /// Rejects what libcurl would misread or what would let a value inject extra header lines.
    func validate() throws(HTTPClientError) {
        let lowercasedURL = url.lowercased()
        guard lowercasedURL.hasPrefix("http://") || lowercasedURL.hasPrefix("https://"),
            !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        else { throw .invalidURL(HTTPClientError.redacted(url)) }
        guard !method.isEmpty, method.allSatisfy(\.isHTTPToken) else {
            throw .invalidMethod(method)
        }
        for field in headers {
            guard !field.name.isEmpty, field.name.allSatisfy(\.isHTTPToken) else {
                throw .invalidHeader(name: field.name)
            }
            guard
                !field.value.unicodeScalars.contains(where: {
                    $0 == "\r" || $0 == "\n" || $0 == "\0"
                })
            else {
                throw .invalidHeader(name: field.name)
            }
        }
    }
}

extension Character {
    /// RFC 9110 `tchar`: what a method or header name may consist of.
    fileprivate var isHTTPToken: Bool {
        guard let ascii = asciiValue else { return false }
        switch ascii {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(ascii)
        }
    }
}
