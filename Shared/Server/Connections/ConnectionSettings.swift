import NIOCore

/// How long and how large a client connection may be on every listener (the gateway's TLS and
/// operations ports and both internal services), read once from `SIGNPEER_*` variables.
///
/// The defaults are no longer than nginx's (60 s for the handshake, the request head and the body,
/// 75 s for an idle keep-alive connection): every open connection is a child task of the HTTP
/// server, so a connection without a bound is both a leak and a tax on every later request.
public struct ConnectionSettings: Sendable, Equatable {
    /// From accepting the TCP connection to a finished TLS handshake (TLS port only).
    public var handshakeTimeout: TimeAmount = .seconds(60)
    /// For the whole request head: from the connection's start (first request) or from the
    /// first byte of a keep-alive request, to the blank line that ends the head.
    public var requestHeadTimeout: TimeAmount = .seconds(60)
    /// For the whole request body, from the end of its head (bodies are at most 1 MiB, so this
    /// is a minimum rate of about 17 KiB/s, not the per-read timer nginx uses).
    public var requestBodyTimeout: TimeAmount = .seconds(60)
    /// How long a keep-alive connection may wait for its next request.
    public var keepAliveTimeout: TimeAmount = .seconds(75)
    /// How long a connection that is being closed with request bytes unread keeps reading (and
    /// discarding) them, so the client sees the answer instead of a reset.
    public var lingerTimeout: TimeAmount = .seconds(2)
    /// Concurrent connections per listener; further clients wait in the accept backlog.
    public var maxConnections = 1000
    /// Header fields per request, and bytes per field and for the whole head (nginx: 4 × 8 KiB).
    public var maxHeaderCount = 100
    public var maxHeaderFieldBytes = 8 * 1024
    public var maxHeaderBytes = 32 * 1024
    /// Largest request body any route accepts (SPEC §8: 1 MiB); a larger `Content-Length` is
    /// answered 413 before a byte of the body is read.
    public var maxBodyBytes = 1024 * 1024

    public init() {}

    /// Reads `SIGNPEER_TLS_HANDSHAKE_TIMEOUT`, `SIGNPEER_REQUEST_HEAD_TIMEOUT`,
    /// `SIGNPEER_REQUEST_BODY_TIMEOUT`, `SIGNPEER_KEEPALIVE_TIMEOUT` (seconds),
    /// `SIGNPEER_MAX_CONNECTIONS`, `SIGNPEER_MAX_HEADER_COUNT` and `SIGNPEER_MAX_HEADER_BYTES`.
    public init(environment: EnvironmentReader) throws {
        handshakeTimeout = try Self.seconds(environment, "SIGNPEER_TLS_HANDSHAKE_TIMEOUT", handshakeTimeout)
        requestHeadTimeout = try Self.seconds(environment, "SIGNPEER_REQUEST_HEAD_TIMEOUT", requestHeadTimeout)
        requestBodyTimeout = try Self.seconds(environment, "SIGNPEER_REQUEST_BODY_TIMEOUT", requestBodyTimeout)
        keepAliveTimeout = try Self.seconds(environment, "SIGNPEER_KEEPALIVE_TIMEOUT", keepAliveTimeout)
        maxConnections = try environment.int("SIGNPEER_MAX_CONNECTIONS", default: maxConnections, range: 1...1_000_000)
        maxHeaderCount = try environment.int("SIGNPEER_MAX_HEADER_COUNT", default: maxHeaderCount, range: 16...10_000)
        maxHeaderBytes = try environment.int(
            "SIGNPEER_MAX_HEADER_BYTES", default: maxHeaderBytes, range: 4096...1024 * 1024)
        maxHeaderFieldBytes = min(maxHeaderFieldBytes, maxHeaderBytes)
    }

    private static func seconds(_ environment: EnvironmentReader, _ name: String, _ defaultValue: TimeAmount) throws
        -> TimeAmount
    {
        let seconds = try environment.int(name, default: Int(defaultValue.nanoseconds / 1_000_000_000), range: 1...3600)
        return .seconds(Int64(seconds))
    }
}
