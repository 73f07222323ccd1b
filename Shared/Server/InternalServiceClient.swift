import Foundation
import Logging
import Metrics
import SignPeerCore
import SignPeerHTTPClient

/// Calls one internal service (key-binding or renewal) over libcurl.
///
/// Every call carries the internal credential, the request id and, when there is one, the
/// authenticated principal. Transport failures become `503 service_unavailable` (so the gateway
/// answers with `Retry-After`), and an error body from the callee is passed through with its
/// code and status, so a peer sees the same error wherever it arose.
public struct InternalServiceClient: Sendable {
    public let name: String
    public let baseURL: String
    let credential: InternalCredential
    let http: HTTPClient
    let timeout: Duration

    public init(name: String, baseURL: String, credential: InternalCredential, http: HTTPClient, timeout: Duration = .seconds(30)) {
        self.name = name
        self.baseURL = baseURL
        self.credential = credential
        self.http = http
        self.timeout = timeout
    }

    /// Sends a request and returns the raw response for any HTTP status.
    public func send(
        _ method: String, _ path: String, body: [UInt8]? = nil, contentType: String? = nil,
        requestID: String, principal: Principal? = nil, timeout: Duration? = nil
    ) async throws -> HTTPClientResponse {
        var headers: HTTPClientHeaders = [
            InternalHeaders.authorization: credential.authorizationHeader,
            InternalHeaders.requestID: requestID,
        ]
        if let principal { headers.add(name: InternalHeaders.principal, value: principal.headerValue()) }
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        let request = HTTPClientRequest(
            method: method, url: baseURL + path, headers: headers, body: body, timeout: timeout ?? self.timeout)
        let started = ContinuousClock.now
        do {
            let response = try await http.execute(request)
            Self.record(service: name, duration: ContinuousClock.now - started, outcome: response.status >= 500 ? "error" : "ok")
            return response
        } catch {
            Self.record(service: name, duration: ContinuousClock.now - started, outcome: "unreachable")
            throw SignPeerError.serviceUnavailable("The \(name) service is unavailable.")
        }
    }

    /// Internal call latency and errors by callee, for `/metrics`.
    static func record(service: String, duration: Duration, outcome: String) {
        Timer(label: "signpeer_internal_call_duration_seconds", dimensions: [("service", service)]).record(duration: duration)
        Counter(label: "signpeer_internal_calls_total", dimensions: [("service", service), ("outcome", outcome)]).increment()
    }

    /// Sends a request and decodes a 2xx JSON body; an error body is rethrown as ``SignPeerError``.
    public func call<Response: Decodable>(
        _ method: String, _ path: String, body: (some Encodable)? = Optional<Int>.none,
        requestID: String, principal: Principal? = nil, as type: Response.Type = Response.self
    ) async throws -> Response {
        let bytes = try body.map { Array(try JSONResponse.encoder.encode($0)) }
        let response = try await send(
            method, path, body: bytes, contentType: bytes == nil ? nil : "application/json",
            requestID: requestID, principal: principal)
        try Self.throwIfError(response, service: name)
        do {
            return try JSONDecoder.signPeer.decode(Response.self, from: Data(response.body))
        } catch {
            throw SignPeerError.internalError("The \(name) service answered an unexpected body.")
        }
    }

    /// Turns a non-2xx answer into the ``SignPeerError`` it carries.
    public static func throwIfError(_ response: HTTPClientResponse, service: String) throws {
        guard !(200..<300).contains(response.status) else { return }
        if let body = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body)) {
            throw SignPeerError(.init(rawValue: body.error.code), body.error.message)
        }
        throw SignPeerError.serviceUnavailable("The \(service) service answered HTTP \(response.status).")
    }

    /// A readiness check that asks the service's own `/readyz`, forwarding the request id.
    public var readinessCheck: ReadinessCheck {
        let client = self
        return ReadinessCheck(name: name) { requestID in
            guard let response = try? await client.send("GET", "/readyz", requestID: requestID, timeout: .seconds(3))
            else { return false }
            return response.status == 200
        }
    }
}

extension JSONDecoder {
    /// The decoder matching ``JSONResponse/encoder`` (ISO-8601 dates).
    public static var signPeer: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
