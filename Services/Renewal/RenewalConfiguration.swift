import SignPeerServer
import SignPeerStore

/// `SIGNPEER_*` settings of the renewal service; defaults fit the local quick start.
struct RenewalConfiguration: Sendable {
    /// Loopback by default: only the gateway and the key-binding service call it.
    var host = "127.0.0.1"
    var port = 8082
    /// `SIGNPEER_TOKEN_SECRETS_DIR`: a file named after a token worker holds its activation code
    /// for auto-activation at start (SPEC §6).
    var tokenSecretsDirectory: String?
    var database: DatabaseSettings
    var credential: InternalCredential

    init(environment: EnvironmentReader) throws {
        host = try environment.host("SIGNPEER_RENEWAL_HOST", default: host)
        port = try environment.port("SIGNPEER_RENEWAL_PORT", default: port)
        tokenSecretsDirectory = environment.optionalString("SIGNPEER_TOKEN_SECRETS_DIR")
        database = try DatabaseSettings(environment: environment)
        credential = try InternalCredential.load(from: environment)
    }
}
