import Foundation
import HTTPTypes
import SignPeerCore
import SignPeerHTTPClient

/// The CLI's view of the gateway: JSON calls that turn the gateway's error bodies into one-line
/// ``CLIError``s.
struct GatewayClient {
    let baseURL: String
    let http: HTTPClient

    func get<Response: Decodable>(_ path: String, as type: Response.Type = Response.self) async throws -> Response {
        try await send(.get, path, body: nil)
    }

    /// `POST` with a JSON body.
    func post<Response: Decodable>(
        _ path: String, _ body: some Encodable, as type: Response.Type = Response.self
    ) async throws -> Response {
        try await send(.post, path, body: try encode(body))
    }

    /// `POST` without a body.
    func post<Response: Decodable>(_ path: String, as type: Response.Type = Response.self) async throws -> Response {
        try await send(.post, path, body: nil)
    }

    /// `PUT` with a JSON body.
    func put<Response: Decodable>(
        _ path: String, _ body: some Encodable, as type: Response.Type = Response.self
    ) async throws -> Response {
        try await send(.put, path, body: try encode(body))
    }

    func delete<Response: Decodable>(_ path: String, as type: Response.Type = Response.self) async throws -> Response {
        try await send(.delete, path, body: nil)
    }

    /// How long a command waits for the gateway: longer than the gateway waits for the internal
    /// services (30 s), so a slow key generation ends with the server's own answer (a 503 naming
    /// the cause), not a local timeout.
    static let timeout = Duration.seconds(60)

    func send<Response: Decodable>(_ method: HTTPRequest.Method, _ path: String, body: [UInt8]?) async throws -> Response {
        let response: HTTPClientResponse
        do {
            response = try await http.execute(
                HTTPClientRequest(
                    method: method, url: baseURL + path,
                    headers: body == nil ? [:] : [.contentType: "application/json"], body: body, timeout: Self.timeout))
        } catch {
            throw CLIError("cannot reach the gateway at \(baseURL): \(error)")
        }
        guard (200..<300).contains(response.status) else {
            if let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body)) {
                throw CLIError("\(error.error.message) (\(error.error.code))")
            }
            throw CLIError("the gateway answered HTTP \(response.status)")
        }
        do {
            return try JSONDecoder().decode(Response.self, from: Data(response.body))
        } catch {
            throw CLIError("unexpected answer from the gateway")
        }
    }

    private func encode(_ body: some Encodable) throws -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(body))
        } catch {
            throw CLIError("cannot encode the request: \(error)")
        }
    }
}

/// A failure the CLI reports as one line on standard error with a non-zero exit status.
struct CLIError: Error, CustomStringConvertible, Equatable {
    var description: String
    /// 1 for failures at run time, 64 (`EX_USAGE`, as ArgumentParser uses) for bad arguments.
    var exitCode: Int32

    init(_ description: String) {
        self.description = description
        self.exitCode = 1
    }

    /// Bad arguments: the problem, then the command's usage, still on one line.
    static func usage(_ problem: String, _ usage: String) -> CLIError {
        var error = CLIError("\(problem) (usage: \(usage))")
        error.exitCode = 64
        return error
    }
}
