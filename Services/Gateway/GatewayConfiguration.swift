import SignPeerServer
import SignPeerStore

/// Everything the gateway reads from `SIGNPEER_*` variables, with defaults that work for the
/// local quick start (`deploy/local/up.sh`). See the README for the table.
struct GatewayConfiguration: Sendable {
    /// Address of the authenticated TLS port (peer API, admin API, `/whoami`).
    var host = "0.0.0.0"
    var port = 8443
    /// Address of the plain-HTTP operations port (`/healthz`, `/readyz`, `/metrics`).
    var operationsHost = "127.0.0.1"
    var operationsPort = 8080
    var serverCertificatePath = ".local/pki/server.pem"
    var serverKeyPath = ".local/pki/server.key"
    /// PEM bundle of the CAs whose client certificates may connect.
    var clientCAPath = ".local/pki/ca.pem"
    var keyBindingsURL = "http://127.0.0.1:8081"
    var renewalURL = "http://127.0.0.1:8082"
    var bootstrapAdminCertificatePath: String?
    var database: DatabaseSettings
    var credential: InternalCredential
    /// How long role rules are cached per client certificate.
    var roleCacheTTL: Duration = .seconds(2)

    init(environment: EnvironmentReader) throws {
        host = try environment.host("SIGNPEER_GATEWAY_HOST", default: host)
        port = try environment.port("SIGNPEER_GATEWAY_PORT", default: port)
        operationsHost = try environment.host("SIGNPEER_GATEWAY_OPS_HOST", default: operationsHost)
        operationsPort = try environment.port("SIGNPEER_GATEWAY_OPS_PORT", default: operationsPort)
        serverCertificatePath = try environment.readableFile("SIGNPEER_TLS_CERT", default: serverCertificatePath)
        serverKeyPath = try environment.readableFile("SIGNPEER_TLS_KEY", default: serverKeyPath)
        clientCAPath = try environment.readableFile("SIGNPEER_TLS_CLIENT_CA", default: clientCAPath)
        keyBindingsURL = try environment.httpURL("SIGNPEER_KEYBINDINGS_URL", default: keyBindingsURL)
        renewalURL = try environment.httpURL("SIGNPEER_RENEWAL_URL", default: renewalURL)
        if environment.optionalString("SIGNPEER_BOOTSTRAP_ADMIN_CERT") != nil {
            bootstrapAdminCertificatePath = try environment.readableFile("SIGNPEER_BOOTSTRAP_ADMIN_CERT", default: "")
        }
        roleCacheTTL = .milliseconds(
            try environment.int("SIGNPEER_ROLE_CACHE_MS", default: 2000, range: 0...60_000))
        database = try DatabaseSettings(environment: environment)
        credential = try InternalCredential.load(from: environment)
    }
}
