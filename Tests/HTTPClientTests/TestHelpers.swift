import SignPeerHTTPClient
import SignPeerTestSupport

/// Runs `body` with a fresh client and loopback server, shutting both down afterwards.
func withClientAndServer<Result>(
    _ configuration: HTTPClientConfiguration = .init(),
    _ body: (HTTPClient, LoopbackHTTPServer) async throws -> Result
) async throws -> Result {
    let server = try LoopbackHTTPServer()
    let client = HTTPClient(configuration: configuration)
    defer {
        client.shutdown()
        server.stop()
    }
    return try await body(client, server)
}

extension HTTPClient {
    /// The error executing `request` fails with, or `nil` if it succeeds.
    func failure(of request: HTTPClientRequest) async -> HTTPClientError? {
        do {
            _ = try await execute(request)
            return nil
        } catch {
            return error
        }
    }
}
