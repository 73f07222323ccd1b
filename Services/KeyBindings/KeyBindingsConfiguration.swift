import SignPeerServer
import SignPeerStore

/// `SIGNPEER_*` settings of the key-binding service; defaults fit the local quick start.
struct KeyBindingsConfiguration: Sendable {
    /// Loopback by default: only the gateway and the renewal service call it.
    var host = "127.0.0.1"
    var port = 8081
    var renewalURL = "http://127.0.0.1:8082"
    var database: DatabaseSettings
    var credential: InternalCredential

    init(environment: EnvironmentReader) throws {
        host = try environment.host("SIGNPEER_KEYBINDINGS_HOST", default: host)
        port = try environment.port("SIGNPEER_KEYBINDINGS_PORT", default: port)
        renewalURL = try environment.httpURL("SIGNPEER_RENEWAL_URL", default: renewalURL)
        database = try DatabaseSettings(environment: environment)
        credential = try InternalCredential.load(from: environment)
    }
}
