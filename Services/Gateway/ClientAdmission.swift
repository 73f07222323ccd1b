import Foundation
import SignPeerCore

/// What a verified client certificate must pass on every request, not only at its handshake:
/// resumed TLS sessions skip BoringSSL's verification, and a certificate can expire or be revoked
/// while its connection stays open. Used by ``AuthenticationMiddleware`` and by the answers made
/// on the event loop (``WhoamiOnEventLoop``), which hand every refusal to the middleware.
struct ClientAdmission: Sendable {
    /// The client CRLs, when `SIGNPEER_TLS_CLIENT_CRL` names any.
    let revocations: ClientRevocations?

    /// Why `identity` may not authenticate a request at `date`, or nil. An `audited` refusal
    /// (revoked, or revocation status unknown) is logged and audited by the middleware.
    func refusal(of identity: ClientIdentity, at date: Date) -> (error: SignPeerError, audited: Bool)? {
        guard identity.isValid(at: date) else {
            return (.clientCertificateRequired("The client certificate is not valid now."), false)
        }
        guard !identity.isCA else {
            return (.clientCertificateRequired("A CA certificate cannot be used as a client certificate."), false)
        }
        guard identity.permitsClientAuthentication else {
            return (.clientCertificateRequired("The client certificate's extended key usage does not allow clientAuth."), false)
        }
        switch revocations?.status(serialNumber: identity.serialNumber, issuerMatch: identity.issuerMatch) {
        case nil, .good: return nil
        case .revoked: return (Self.revoked, true)
        case .unknown: return (Self.revocationUnknown, true)
        }
    }

    static let revoked = SignPeerError.clientCertificateRevoked("The client certificate has been revoked.")
    static let revocationUnknown = SignPeerError.revocationStatusUnknown("The revocation list of this client certificate's issuer is out of date.")
}
