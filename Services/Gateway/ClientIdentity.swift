import Foundation
import SignPeerCore
import SignPeerCrypto

/// What the gateway needs from a verified client certificate, in the normalized forms that role
/// rules and the incoming-connection registry are keyed by (SPEC §4).
struct ClientIdentity: Sendable, Hashable {
    var serialNumber: String
    var issuerDN: String
    /// Case-folded issuer DN, the form rules are matched by.
    var issuerMatch: String
    var subjectDN: String
    var fingerprintSHA256: String
    var notBefore: Date
    var notAfter: Date
    /// `basicConstraints cA: TRUE`: a CA certificate never authenticates a client.
    var isCA: Bool
    /// No EKU, or one with clientAuth (or anyExtendedKeyUsage).
    var permitsClientAuthentication: Bool

    init(certificate: Certificate) {
        serialNumber = certificate.serialNumber
        issuerDN = certificate.issuer.normalized
        issuerMatch = certificate.issuer.matchKey
        subjectDN = certificate.subject.normalized
        fingerprintSHA256 = certificate.sha256Fingerprint
        notBefore = certificate.notBefore
        notAfter = certificate.notAfter
        isCA = certificate.isCA
        permitsClientAuthentication = certificate.permitsTLSClientAuthentication
    }

    func isValid(at date: Date) -> Bool { notBefore <= date && date <= notAfter }

    func principal(roles: [Role]) -> Principal {
        Principal(
            serialNumber: serialNumber, issuerDN: issuerDN, subjectDN: subjectDN, fingerprintSHA256: fingerprintSHA256,
            roles: roles)
    }
}

/// Parsed identities by certificate DER, so the 0.2–0.5 ms parse happens once per client
/// certificate instead of once per request. Bounded (``BoundedCache``).
struct ClientIdentityCache: Sendable {
    private let entries: BoundedCache<[UInt8], ClientIdentity>

    init(capacity: Int = 4096) { entries = BoundedCache(capacity: capacity) }

    func identity(forDER der: [UInt8]) throws -> ClientIdentity {
        try entries.value(for: der) { ClientIdentity(certificate: try Certificate(derEncoded: der)) }
    }
}
