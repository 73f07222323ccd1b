import COpenSSL
import SignPeerCore

/// What a signer outside OpenSSL (an HSM) needs to produce an X.509 signature with this
/// algorithm: the host-side hash, PKCS#1 v1.5's DigestInfo, the DER AlgorithmIdentifier and
/// the conversion of a raw ECDSA signature. The private key never has to be in this process.
extension SignatureAlgorithm {
    /// The hash length in bytes; `nil` for EdDSA, which signs the message itself.
    public var hashByteCount: Int? { hashLength }

    /// Whether it is RSASSA-PSS (MGF1 with the same hash, salt as long as the hash).
    public var isRSASSAPSS: Bool { usesPSS }

    /// The digest of `data` with this algorithm's hash; `nil` for EdDSA.
    public func digest(of data: [UInt8]) -> [UInt8]? {
        guard let digest else { return nil }
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        precondition(EVP_Digest(data, data.count, &output, &length, digest, nil) == 1, "EVP_Digest failed")
        return Array(output[0..<Int(length)])
    }

    /// The DER DigestInfo (RFC 8017 §9.2) of `data` that RSASSA-PKCS1-v1_5 signs; `nil` for
    /// algorithms that are not PKCS#1 v1.5.
    public func digestInfo(of data: [UInt8]) -> [UInt8]? {
        guard keyAlgorithm == "RSA", !usesPSS, let hash = hashObjectIdentifier, let digest = digest(of: data) else {
            return nil
        }
        return DER.sequence([DER.sequence([DER.objectIdentifier(hash), DER.null]), DER.octetString(digest)])
    }

    /// The signature AlgorithmIdentifier in DER, byte for byte what OpenSSL writes for this
    /// algorithm (RSA with NULL parameters, ECDSA and EdDSA without, RSASSA-PSS with explicit
    /// hash, MGF1 and salt length).
    public var algorithmIdentifierDER: [UInt8] {
        switch self {
        case .sha256WithRSA: DER.sequence([DER.objectIdentifier("1.2.840.113549.1.1.11"), DER.null])
        case .sha384WithRSA: DER.sequence([DER.objectIdentifier("1.2.840.113549.1.1.12"), DER.null])
        case .sha512WithRSA: DER.sequence([DER.objectIdentifier("1.2.840.113549.1.1.13"), DER.null])
        case .sha256WithECDSA: DER.sequence([DER.objectIdentifier("1.2.840.10045.4.3.2")])
        case .sha384WithECDSA: DER.sequence([DER.objectIdentifier("1.2.840.10045.4.3.3")])
        case .sha512WithECDSA: DER.sequence([DER.objectIdentifier("1.2.840.10045.4.3.4")])
        case .ed25519: DER.sequence([DER.objectIdentifier("1.3.101.112")])
        case .ed448: DER.sequence([DER.objectIdentifier("1.3.101.113")])
        case .sha256WithRSAandMGF1, .sha384WithRSAandMGF1, .sha512WithRSAandMGF1:
            pssAlgorithmIdentifier
        }
    }

    private var hashObjectIdentifier: String? {
        switch hashLength {
        case 32: "2.16.840.1.101.3.4.2.1"
        case 48: "2.16.840.1.101.3.4.2.2"
        case 64: "2.16.840.1.101.3.4.2.3"
        default: nil
        }
    }

    /// RSASSA-PSS-params (RFC 4055): OpenSSL writes the SHA-2 AlgorithmIdentifiers with NULL
    /// parameters and omits the default trailer field.
    private var pssAlgorithmIdentifier: [UInt8] {
        let hash = DER.sequence([DER.objectIdentifier(hashObjectIdentifier!), DER.null])
        let mgf = DER.sequence([DER.objectIdentifier("1.2.840.113549.1.1.8"), hash])
        let parameters = DER.sequence([
            DER.contextSpecific(0, hash), DER.contextSpecific(1, mgf), DER.contextSpecific(2, DER.integer(hashLength!)),
        ])
        return DER.sequence([DER.objectIdentifier("1.2.840.113549.1.1.10"), parameters])
    }

    /// An X.509 ECDSA-Sig-Value (`SEQUENCE { r INTEGER, s INTEGER }`) from the raw `r || s`
    /// that PKCS#11's CKM_ECDSA returns.
    ///
    /// - Throws: ``SignPeerError`` `.internalError` for an odd or empty length.
    public static func ecdsaSignatureDER(fromRaw raw: [UInt8]) throws -> [UInt8] {
        guard !raw.isEmpty, raw.count % 2 == 0 else {
            throw SignPeerError.internalError("The HSM returned an ECDSA signature of \(raw.count) bytes.")
        }
        let half = raw.count / 2
        return DER.sequence([DER.unsignedInteger(Array(raw[..<half])), DER.unsignedInteger(Array(raw[half...]))])
    }
}
