import Foundation
import Hummingbird
import NIOCore
import NIOSSL
import SignPeerCore

/// Turns the TLS client certificate into the request's ``Principal``.
///
/// The handshake already required a certificate chaining to the trust bundle (BoringSSL verifies
/// it). Resumed TLS sessions skip that verification, so validity is checked again here on every
/// request, and roles are read per request (through the short-lived ``RoleDirectory`` cache).
/// The parsed identity is kept per connection (``ConnectionIdentities``).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let identities: ClientIdentityCache
    let connections: ConnectionIdentities
    let roles: RoleDirectory
    /// The client CRLs, when `SIGNPEER_TLS_CLIENT_CRL` names any.
    let revocations: ClientRevocations?
    let refusals: RefusalRecorder

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let identity = try await connectionIdentity(context.channel)
        guard identity.isValid(at: Date()) else {
            throw SignPeerError.clientCertificateRequired("The client certificate is not valid now.")
        }
        guard !identity.isCA else {
            throw SignPeerError.clientCertificateRequired("A CA certificate cannot be used as a client certificate.")
        }
        guard identity.permitsClientAuthentication else {
            throw SignPeerError.clientCertificateRequired("The client certificate's extended key usage does not allow clientAuth.")
        }
        if let revocations {
            switch revocations.status(serialNumber: identity.serialNumber, issuerMatch: identity.issuerMatch) {
            case .good: break
            case .revoked: throw try await refuse(Self.revoked, identity, request, context)
            case .unknown: throw try await refuse(Self.revocationUnknown, identity, request, context)
            }
        }
        var context = context
        context.principal = Principal(
            serialNumber: identity.serialNumber, issuerDN: identity.issuerDN, subjectDN: identity.subjectDN,
            fingerprintSHA256: identity.fingerprintSHA256, roles: try await roles.roles(for: identity))
        context.issuerMatch = identity.issuerMatch
        context.logger[metadataKey: "client_serial"] = .string(identity.serialNumber)
        return try await next(request, context)
    }

    static let revoked = SignPeerError.clientCertificateRevoked("The client certificate has been revoked.")
    static let revocationUnknown = SignPeerError.revocationStatusUnknown("The revocation list of this client certificate's issuer is out of date.")

    /// Logs and audits (once per minute per certificate, through the ledger) and returns `error`.
    private func refuse(_ error: SignPeerError, _ identity: ClientIdentity, _ request: Request, _ context: Context)
        async throws -> SignPeerError
    {
        let principal = Principal(
            serialNumber: identity.serialNumber, issuerDN: identity.issuerDN, subjectDN: identity.subjectDN,
            fingerprintSHA256: identity.fingerprintSHA256, roles: [])
        return try await refusals.refuse(
            error, principal: principal, issuerMatch: identity.issuerMatch, path: request.uri.path,
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
