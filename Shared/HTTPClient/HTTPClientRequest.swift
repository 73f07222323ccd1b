import HTTPTypes

/// One HTTP request for ``HTTPClient/execute(_:)``.
///
/// A plain value so callers can build, copy and log it (its description leaves out header
/// values and the body, which carry credentials). Method and fields are swift-http-types values:
/// a method is a valid token and a field value can hold no line break by construction, so a value
/// cannot inject header lines.
public struct HTTPClientRequest: Sendable, CustomStringConvertible {
    public var method: HTTPRequest.Method
    /// An absolute `http://` or `https://` URL.
    public var url: String
    public var headers: HTTPFields
    /// The request body; `nil` sends none.
    public var body: [UInt8]?
    /// Limit for the whole exchange, from queueing for a connection to the last body byte.
    /// Default 10 s.
    public var timeout: Duration

    public init(
        method: HTTPRequest.Method = .get, url: String, headers: HTTPFields = [:],
        body: [UInt8]? = nil, timeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    public var description: String { "\(method.rawValue) \(HTTPClientError.redacted(url))" }

    /// Rejects a URL libcurl would misread.
    func validate() throws(HTTPClientError) {
        let lowercasedURL = url.lowercased()
        guard lowercasedURL.hasPrefix("http://") || lowercasedURL.hasPrefix("https://"),
            !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        else { throw .invalidURL(HTTPClientError.redacted(url)) }
    }
}
