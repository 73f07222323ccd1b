import ServiceLifecycle
import SignPeerHTTPClient

/// Ties the libcurl client's thread to the `ServiceGroup`: it is stopped after the servers that
/// use it have drained.
public struct HTTPClientService: Service {
    public let client: HTTPClient

    public init(client: HTTPClient) { self.client = client }

    public func run() async throws {
        try? await gracefulShutdown()
        client.shutdown()
    }
}
