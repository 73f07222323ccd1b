/// TLS settings of a client, for the CLI, which talks mutual TLS to the gateway.
///
/// Files are PEM. Without `caFile` the system trust store is used.
public struct HTTPClientTLSOptions: Sendable, Equatable {
    /// CA certificates that may sign the server's certificate. Default: the system store.
    public var caFile: String?
    /// The client certificate presented to the server (mutual TLS). Default: none.
    public var certificateFile: String?
    /// The private key of `certificateFile`, unencrypted. Default: none.
    public var privateKeyFile: String?
    /// Verify the server's certificate chain. Default `true`; turn off only in tests.
    public var verifyPeer: Bool
    /// Verify that the server's certificate names the host of the URL. Default `true`.
    public var verifyHost: Bool

    public init(
        caFile: String? = nil, certificateFile: String? = nil, privateKeyFile: String? = nil,
        verifyPeer: Bool = true, verifyHost: Bool = true
    ) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.verifyPeer = verifyPeer
        self.verifyHost = verifyHost
    }
}

/// Settings shared by every request of one ``HTTPClient``.
public struct HTTPClientConfiguration: Sendable, Equatable {
    /// TLS settings for `https` URLs. Default `nil`: system trust store, no client certificate.
    public var tls: HTTPClientTLSOptions?
    /// Open connections per host at most; further requests wait for a free one. Default 8.
    public var maxConnectionsPerHost: Int
    /// Limit for establishing a connection (TCP and TLS), within the request's own timeout.
    /// Default 2 s: the services talk over a local network.
    public var connectTimeout: Duration
    /// Largest accepted response body in bytes; a larger one fails with
    /// ``HTTPClientError/responseTooLarge(limit:)``. Default 16 MiB.
    public var maxResponseSize: Int

    public init(
        tls: HTTPClientTLSOptions? = nil, maxConnectionsPerHost: Int = 8,
        connectTimeout: Duration = .seconds(2), maxResponseSize: Int = 16 * 1024 * 1024
    ) {
        self.tls = tls
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.connectTimeout = connectTimeout
        self.maxResponseSize = maxResponseSize
    }
}
