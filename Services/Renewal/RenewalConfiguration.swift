import SignPeerServiceSupport

/// `SIGNPEER_*` settings of the renewal service; defaults fit the local quick start.
struct RenewalConfiguration: Sendable {
    /// Loopback by default: only the gateway and the key-binding service call it.
    var host = "127.0.0.1"
    var port = 8082
    var database: DatabaseSettings
    var credential: InternalCredential

    init(environment: EnvironmentReader) throws {
        host = try environment.host("SIGNPEER_RENEWAL_HOST", default: host)
        port = try environment.port("SIGNPEER_RENEWAL_PORT", default: port)
        database = try DatabaseSettings(environment: environment)
        credential = try InternalCredential.load(from: environment)
    }
}
