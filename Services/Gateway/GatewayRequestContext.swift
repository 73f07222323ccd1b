import Hummingbird
import NIOCore
import SignPeerCore

/// The per-request context of the TLS port: keeps the channel (to read the verified client
/// certificate) and, once ``AuthenticationMiddleware`` ran, the caller's principal.
struct GatewayRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    var principal: Principal?
    /// Case-folded issuer DN of the client certificate, the form rules and registry rows use.
    var issuerMatch = ""
    var remoteAddress: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Peer API bodies are at most 1 MiB (SPEC §8).
    var maxUploadSize: Int { Limits.requestBody }

    /// The authenticated principal; routes behind ``AuthenticationMiddleware`` always have one.
    func requirePrincipal() throws -> Principal {
        guard let principal else {
            throw SignPeerError.clientCertificateRequired("A trusted client certificate is required.")
        }
        return principal
    }
}
