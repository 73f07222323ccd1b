import COpenSSL
import SignPeerCore

/// A PKCS#10 certification request (RFC 2986): what SignPeer sends a CA for its next key
/// (SPEC §7.1).
public struct CertificationRequest: Sendable, Hashable {
    /// The DER-encoded request.
    public let der: [UInt8]

    /// The request as one `CERTIFICATE REQUEST` PEM block.
    public var pem: String {
        PEM.encode(der, label: "CERTIFICATE REQUEST")
    }

    /// Builds and signs a version 1 request for `key` with `subject` and no attributes.
    ///
    /// - Throws: ``SignPeerError`` `.invalidDN` (400) when the subject cannot be encoded, for
    ///   example a `C` that is not two letters; `.invalidProperty` when `algorithm` does not fit
    ///   the key; `.internalError` when OpenSSL fails.
    public static func make(
        subject: DistinguishedName, key: PrivateKey, algorithm: SignatureAlgorithm
    ) throws -> CertificationRequest {
        guard let request = X509_REQ_new() else { throw openSSLFailure("out of memory") }
        defer { X509_REQ_free(request) }
        let name = try X509NameEncoder.encode(subject)
        defer { X509_NAME_free(name) }
        guard X509_REQ_set_version(request, Int(X509_REQ_VERSION_1)) == 1,
            X509_REQ_set_subject_name(request, name) == 1,
            X509_REQ_set_pubkey(request, key.pkey) == 1
        else { throw openSSLFailure("cannot fill in the certification request") }
        try key.withSigningContext(algorithm) { context in
            guard X509_REQ_sign_ctx(request, context) > 0 else {
                throw openSSLFailure("cannot sign the certification request with \(algorithm)")
            }
        }
        guard let der = DER.encode(request, with: i2d_X509_REQ) else {
            throw openSSLFailure("cannot encode the certification request")
        }
        return CertificationRequest(der: der)
    }
}
