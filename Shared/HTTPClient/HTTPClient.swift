import CCurl

/// The internal service client: HTTP/1.1 and HTTPS, optionally with a client certificate,
/// over libcurl.
///
/// One client owns one thread that drives all its requests with `curl_multi`, so calling tasks
/// never block the cooperative pool, and it keeps connections alive for reuse across requests
/// to the same host. Create one per process (or per TLS identity) and share it. Any HTTP
/// status is a response; only failures to get one throw. Redirects are not followed and only
/// `http` and `https` URLs are accepted. Bodies and header values are never logged.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    private let loop: CurlMultiLoop

    public init(configuration: HTTPClientConfiguration = .init()) {
        self.configuration = configuration
        self.loop = CurlMultiLoop(configuration: configuration)
    }

    deinit {
        loop.shutdown()
    }

    /// Sets up libcurl and OpenSSL for this process; call it first in `main`, before anything
    /// else uses OpenSSL, so that no exit handler frees OpenSSL's state while a client's thread
    /// still closes its connections. Calling it again does nothing.
    public static func prepareProcess() {
        precondition(curlGlobalInitialization == CURLE_OK, "curl_global_init failed")
    }

    /// Sends `request` and returns the complete response, whatever its status.
    ///
    /// Cancelling the calling task aborts the request with ``HTTPClientError/cancelled``.
    public func execute(_ request: HTTPClientRequest) async throws(HTTPClientError)
        -> HTTPClientResponse
    {
        try request.validate()
        let id = loop.makeTransferID()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                loop.submit(
                    TransferSubmission(id: id, request: request, continuation: continuation))
            }
        } onCancel: {
            loop.cancel(id)
        }
        return try result.get()
    }

    /// Stops the client's thread: requests in flight and later ones fail with
    /// ``HTTPClientError/shutdown``. Returns without waiting; calling it again does nothing.
    public func shutdown() {
        loop.shutdown()
    }

    /// How many connections the client has opened so far; with keep-alive working this stays
    /// far below the number of requests.
    public var openedConnections: Int { loop.openedConnections }
}
