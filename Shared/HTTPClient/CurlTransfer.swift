import HTTPTypes
import CCurl
import CSignPeerShims

/// One request in flight: its curl easy handle and what the callbacks collect.
///
/// Created, driven and finished on the curl thread only (it is not `Sendable`). The callbacks
/// get it back from an unretained pointer, which stays valid because ``CurlMultiLoop`` holds
/// the transfer until its easy handle has left the multi handle.
final class CurlTransfer {
    let id: UInt64
    let easy: UnsafeMutableRawPointer
    private var continuation: ResponseContinuation?
    /// For error messages: without query and user info.
    private let redactedURL: String
    private let maxResponseSize: Int
    private var requestHeaders: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var responseHeaders = HTTPFields()
    private var responseBody: [UInt8] = []
    private var exceededMaxResponseSize = false

    init(_ submission: TransferSubmission, maxResponseSize: Int) {
        guard let easy = curl_easy_init() else {
            fatalError("curl_easy_init failed: out of memory")
        }
        self.id = submission.id
        self.easy = easy
        self.continuation = submission.continuation
        self.redactedURL = HTTPClientError.redacted(submission.request.url)
        self.maxResponseSize = maxResponseSize
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(requestHeaders)
        errorBuffer.deallocate()
    }

    /// Sets every option of the request; the easy handle is then ready for `curl_multi_add_handle`.
    func configure(
        _ request: HTTPClientRequest, _ configuration: HTTPClientConfiguration
    ) throws(HTTPClientError) {
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 0)
        // No signals (SIGALRM for DNS timeouts) in a multi-threaded process.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_TIMEOUT_MS, request.timeout.curlMilliseconds)
        try set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.curlMilliseconds)
        // Fails early when Content-Length announces too much; the write callback covers the rest.
        try check(
            signpeer_curl_easy_setopt_off_t(
                easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxResponseSize)))
        try set(CURLOPT_ERRORBUFFER, pointer: errorBuffer)
        try set(CURLOPT_PRIVATE, pointer: UnsafeMutableRawPointer(bitPattern: UInt(id)))

        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(signpeer_curl_easy_setopt_write_callback(easy, curlWriteCallback))
        try set(CURLOPT_WRITEDATA, pointer: context)
        try check(signpeer_curl_easy_setopt_header_callback(easy, curlHeaderCallback))
        try set(CURLOPT_HEADERDATA, pointer: context)

        try configureMethodAndBody(request)
        try configureHeaders(request)
        if let tls = configuration.tls { try configureTLS(tls) }
    }

    /// How many new connections this transfer opened (0 when it reused one).
    var openedConnections: Int {
        var count = 0
        return signpeer_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &count) == CURLE_OK
            ? count : 0
    }

    /// Resumes the caller with the response for `CURLE_OK`, or the error `code` stands for.
    func finish(_ code: CURLcode) {
        guard code == CURLE_OK else { return finish(.failure(error(for: code))) }
        var status = 0
        _ = signpeer_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        finish(
            .success(
                HTTPClientResponse(status: status, headers: responseHeaders, body: responseBody)))
    }

    /// Resumes the caller; later calls do nothing, so a transfer answers exactly once.
    func finish(_ result: Result<HTTPClientResponse, HTTPClientError>) {
        continuation?.resume(returning: result)
        continuation = nil
    }

    // MARK: Callbacks

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard responseBody.count + bytes.count <= maxResponseSize else {
            exceededMaxResponseSize = true
            return 0  // anything but bytes.count aborts the transfer with CURLE_WRITE_ERROR
        }
        responseBody.append(contentsOf: bytes)
        return bytes.count
    }

    /// Called once per header line, the status line included.
    fileprivate func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Int {
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new response starts (after a 1xx interim one): keep only the final one's headers.
            responseHeaders = HTTPFields()
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingHTTPWhitespace
            let value = line[line.index(after: colon)...].trimmingHTTPWhitespace
            // A name that is not a token is not a header field; it is dropped.
            if let name = HTTPField.Name(String(name)) { responseHeaders.append(HTTPField(name: name, value: String(value))) }
        }
        return bytes.count
    }

    // MARK: Options

    private func configureMethodAndBody(_ request: HTTPClientRequest) throws(HTTPClientError) {
        let methodsWithBody: Set<HTTPRequest.Method> = [.post, .put, .patch]
        let body = request.body ?? (methodsWithBody.contains(request.method) ? [] : nil)
        switch (request.method, body) {
        case (.get, nil):
            try set(CURLOPT_HTTPGET, 1)
        case (.head, nil):
            try set(CURLOPT_NOBODY, 1)
        case (_, let body?):
            try check(
                signpeer_curl_easy_setopt_off_t(
                    easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS makes libcurl keep its own copy for the transfer's lifetime.
            if body.isEmpty {
                try set(CURLOPT_COPYPOSTFIELDS, "")
            } else {
                try check(
                    body.withUnsafeBytes { bytes in
                        signpeer_curl_easy_setopt_pointer(
                            easy, CURLOPT_COPYPOSTFIELDS,
                            UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                    })
            }
            if request.method != .post { try set(CURLOPT_CUSTOMREQUEST, request.method.rawValue) }
        case (_, nil):
            try set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
    }

    private func configureHeaders(_ request: HTTPClientRequest) throws(HTTPClientError) {
        var lines = request.headers.map { field in
            // "Name:" would tell libcurl to remove the header; "Name;" sends it empty.
            field.value.isEmpty ? "\(field.name.rawName);" : "\(field.name.rawName): \(field.value)"
        }
        // Suppress what libcurl adds by itself: the 1 s wait for "100 Continue" before large
        // bodies, and a form Content-Type the body is not.
        if request.headers[.expect] == nil { lines.append("Expect:") }
        if request.headers[.contentType] == nil { lines.append("Content-Type:") }
        for line in lines {
            guard let list = curl_slist_append(requestHeaders, line) else {
                throw .transport(code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "out of memory")
            }
            requestHeaders = list
        }
        try check(signpeer_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, requestHeaders))
    }

    private func configureTLS(_ tls: HTTPClientTLSOptions) throws(HTTPClientError) {
        if let caFile = tls.caFile { try set(CURLOPT_CAINFO, caFile) }
        if let certificateFile = tls.certificateFile {
            try set(CURLOPT_SSLCERT, certificateFile)
            try set(CURLOPT_SSLCERTTYPE, "PEM")
        }
        if let privateKeyFile = tls.privateKeyFile { try set(CURLOPT_SSLKEY, privateKeyFile) }
        try set(CURLOPT_SSL_VERIFYPEER, tls.verifyPeer ? 1 : 0)
        try set(CURLOPT_SSL_VERIFYHOST, tls.verifyHost ? 2 : 0)
    }

    private func set(_ option: CURLoption, _ value: Int) throws(HTTPClientError) {
        try check(signpeer_curl_easy_setopt_long(easy, option, value))
    }

    /// libcurl copies string options (all but CURLOPT_POSTFIELDS, which is not used).
    private func set(_ option: CURLoption, _ value: String) throws(HTTPClientError) {
        try check(signpeer_curl_easy_setopt_string(easy, option, value))
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?)
        throws(HTTPClientError)
    {
        try check(signpeer_curl_easy_setopt_pointer(easy, option, pointer))
    }

    private func check(_ code: CURLcode) throws(HTTPClientError) {
        guard code == CURLE_OK else { throw error(for: code) }
    }

    private func error(for code: CURLcode) -> HTTPClientError {
        let message =
            errorBuffer.pointee != 0
            ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout(url: redactedURL)
        case CURLE_COULDNT_CONNECT:
            return .connectionRefused(url: redactedURL)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidURL(redactedURL)
        case CURLE_FILESIZE_EXCEEDED:
            return .responseTooLarge(limit: maxResponseSize)
        case CURLE_WRITE_ERROR where exceededMaxResponseSize:
            return .responseTooLarge(limit: maxResponseSize)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_CLIENTCERT, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED:
            return .tls(message)
        case CURLE_RECV_ERROR where message.contains("SSL routines"),
            CURLE_SEND_ERROR where message.contains("SSL routines"):
            // A TLS alert after the handshake, e.g. the server requires a client certificate.
            return .tls(message)
        default:
            return .transport(code: Int(code.rawValue), message: message)
        }
    }
}

private func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

private func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    return transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
}

extension Substring {
    fileprivate var trimmingHTTPWhitespace: Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return self[first...last]
    }
}

extension Duration {
    /// Whole milliseconds, rounded up and at least 1 (0 means "no limit" to libcurl).
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let milliseconds = (Double(seconds) * 1000 + Double(attoseconds) / 1e15).rounded(.up)
        return Int(min(max(milliseconds, 1), Double(Int32.max)))
    }
}
