import Foundation
import Hummingbird
import NIOCore
import NIOSSL
import SignPeerCore

/// Turns the TLS client certificate into the request's ``Principal``.
///
/// The handshake already required a certificate chaining to the trust bundle (BoringSSL verifies
/// it); ``ClientAdmission`` checks it again on every request, and roles are read per request
/// (through the short-lived ``RoleDirectory`` cache). The parsed identity is kept per connection
/// (``ConnectionIdentities``).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let identities: ClientIdentityCache
    let connections: ConnectionIdentities
    let roles: RoleDirectory
    let admission: ClientAdmission
    let refusals: RefusalRecorder

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let identity = try await connectionIdentity(context.channel)
        if let refusal = admission.refusal(of: identity, at: Date()) {
            guard refusal.audited else { throw refusal.error }
            throw try await refuse(refusal.error, identity, request, context)
        }
        var context = context
        context.principal = identity.principal(roles: try await roles.roles(for: identity))
        context.issuerMatch = identity.issuerMatch
        context.logger[metadataKey: "client_serial"] = .string(identity.serialNumber)
        return try await next(request, context)
    }

    /// Logs and audits (once per minute per certificate, through the ledger) and returns `error`.
    private func refuse(_ error: SignPeerError, _ identity: ClientIdentity, _ request: Request, _ context: Context)
        async throws -> SignPeerError
    {
        try await refusals.refuse(
            error, principal: identity.principal(roles: []), issuerMatch: identity.issuerMatch, path: request.uri.path,
            remoteAddress: context.remoteAddress, logger: context.logger)
    }

    /// The identity of the connection's verified certificate: read from the TLS handler and
    /// parsed on the connection's first request, then remembered for the connection's life.
    private func connectionIdentity(_ channel: any Channel) async throws -> ClientIdentity {
        if let known = connections.identity(of: channel) { return known }
        guard let certificate = try? await channel.nioSSL_peerCertificate().get() else {
            throw SignPeerError.clientCertificateRequired("A trusted client certificate is required.")
        }
        let identity: ClientIdentity
        do {
            identity = try identities.identity(forDER: try certificate.toDERBytes())
        } catch {
            throw SignPeerError.clientCertificateRequired("The client certificate could not be read.")
        }
        connections.remember(identity, of: channel)
        return identity
    }
}
