import COpenSSL
import Foundation
import SignPeerCore

/// An X.509 certificate, parsed once into plain Swift values.
///
/// Holding only Swift values (the DER plus the fields SignPeer looks at) makes the type `Sendable`
/// and cheap to cache per client certificate; the few operations that need OpenSSL objects
/// (signature and key checks) decode the DER again and free everything before returning.
public struct Certificate: Sendable, Hashable {
    /// The certificate exactly as received, DER-encoded.
    public let der: [UInt8]
    /// The subject in SignPeer's normalized form (RFC 4514 order).
    public let subject: DistinguishedName
    /// The issuer in SignPeer's normalized form (RFC 4514 order).
    public let issuer: DistinguishedName
    /// The serial number as normalized lower-case hex without leading zeros (``SerialNumber``).
    public let serialNumber: String
    public let notBefore: Date
    public let notAfter: Date
    /// Whether basicConstraints says `cA: TRUE`.
    public let isCA: Bool
    /// The DER-encoded SubjectPublicKeyInfo.
    public let subjectPublicKeyInfoDER: [UInt8]
    /// Lower-case hex SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 §4.2.1.2
    /// method 1), computed from the key whatever the certificate's own SKI extension says, so it
    /// identifies a key the same way for every certificate and CSR.
    public let subjectKeyIdentifier: String
    /// Lower-case hex SHA-1 of ``der``, without colons.
    public let sha1Fingerprint: String
    /// Lower-case hex SHA-256 of ``der``, without colons.
    public let sha256Fingerprint: String
    /// `"RSA"`, `"EC"`, `"Ed25519"`, `"Ed448"`, or OpenSSL's short name for other algorithms.
    public let publicKeyAlgorithm: String
    /// The RSA modulus length in bits (`"2048"`) or the EC curve name (`"secp256r1"`); `nil` for
    /// EdDSA and other algorithms.
    public let publicKeySpecification: String?

    /// Parses one DER-encoded certificate; trailing bytes are an error.
    ///
    /// - Throws: ``SignPeerError`` with code `.invalidCertificate` saying what failed.
    public init(derEncoded der: [UInt8]) throws {
        let x509 = try decodeX509(der)
        defer { X509_free(x509) }
        guard let subjectName = X509_get_subject_name(x509), let issuerName = X509_get_issuer_name(x509),
            let publicKey = X509_get0_pubkey(x509)
        else {
            throw invalidCertificate(
                "certificate has no usable subject, issuer or public key", drainingOpenSSLErrors: true)
        }
        self.der = der
        subject = try X509Fields.distinguishedName(subjectName, of: "subject")
        issuer = try X509Fields.distinguishedName(issuerName, of: "issuer")
        serialNumber = try X509Fields.serialNumberText(x509)
        notBefore = try X509Fields.date(X509_get0_notBefore(x509), of: "notBefore")
        notAfter = try X509Fields.date(X509_get0_notAfter(x509), of: "notAfter")
        isCA = X509_get_extension_flags(x509) & UInt32(EXFLAG_CA) != 0
        subjectPublicKeyInfoDER = try X509Fields.encodePublicKey(publicKey)
        subjectKeyIdentifier = try X509Fields.keyIdentifier(x509)
        sha1Fingerprint = Digest.sha1.hex(of: der)
        sha256Fingerprint = Digest.sha256.hex(of: der)
        (publicKeyAlgorithm, publicKeySpecification) = X509Fields.describe(publicKey)
    }

    /// The certificate as one PEM block (64-character lines, `\n` line ends).
    public var pem: String {
        PEM.encode(der)
    }

    /// Whether `date` lies within `notBefore...notAfter`.
    public func isValid(at date: Date) -> Bool {
        notBefore <= date && date <= notAfter
    }

    /// Whether `issuer` issued this certificate: this certificate's issuer DN matches the
    /// issuer's subject DN and the signature verifies with the issuer's public key.
    public func isIssued(by issuer: Certificate) -> Bool {
        guard self.issuer.matchKey == issuer.subject.matchKey,
            let x509 = try? decodeX509(der)
        else { return false }
        defer { X509_free(x509) }
        guard let issuerX509 = try? decodeX509(issuer.der) else { return false }
        defer { X509_free(issuerX509) }
        defer { ERR_clear_error() }
        guard let issuerKey = X509_get0_pubkey(issuerX509) else { return false }
        return X509_verify(x509, issuerKey) == 1
    }

    /// Whether `spkiDER` (a DER SubjectPublicKeyInfo, e.g. of a token key) is this certificate's
    /// public key, compared as keys so that encoding differences do not matter.
    public func hasSamePublicKey(as spkiDER: [UInt8]) -> Bool {
        if spkiDER == subjectPublicKeyInfoDER { return true }
        defer { ERR_clear_error() }
        guard let other = X509Fields.decodePublicKey(spkiDER) else { return false }
        defer { EVP_PKEY_free(other) }
        guard let own = X509Fields.decodePublicKey(subjectPublicKeyInfoDER) else { return false }
        defer { EVP_PKEY_free(own) }
        return EVP_PKEY_eq(own, other) == 1
    }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool {
        lhs.der == rhs.der
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(der)
    }
}
