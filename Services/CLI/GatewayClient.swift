import Foundation
import SignPeerCore
import SignPeerHTTPClient

/// The CLI's view of the gateway: JSON calls that turn the gateway's error bodies into one-line
/// ``CLIError``s.
struct GatewayClient {
    let baseURL: String
    let http: HTTPClient

    func get<Response: Decodable>(_ path: String, as type: Response.Type = Response.self) async throws -> Response {
        try await send("GET", path, body: nil)
    }

    func send<Response: Decodable>(_ method: String, _ path: String, body: [UInt8]?) async throws -> Response {
        let response: HTTPClientResponse
        do {
            response = try await http.execute(
                HTTPClientRequest(
                    method: method, url: baseURL + path,
                    headers: body == nil ? [:] : ["Content-Type": "application/json"], body: body))
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
}

/// A failure the CLI reports as one line on standard error with a non-zero exit status.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
