import COpenSSL
import SignPeerCore

/// A public key known only by its encoding: the key of a private key that lives outside this
/// process (in an HSM), with the same facts ``PrivateKey`` reports for keys held in memory.
///
/// Every initializer ends in OpenSSL decoding the SubjectPublicKeyInfo, so an instance always
/// holds a key OpenSSL accepts, re-encoded canonically.
public struct PublicKeyInfo: Sendable, Hashable {
    /// The DER-encoded SubjectPublicKeyInfo.
    public let der: [UInt8]
    /// `"RSA"`, `"EC"`, `"Ed25519"`, `"Ed448"`, as ``PrivateKey/algorithm``.
    public let algorithm: String
    /// RSA bits or canonical curve name, as ``PrivateKey/specification``; `nil` for EdDSA.
    public let specification: String?
    /// Lower-case hex SHA-1 of the subjectPublicKey bits (RFC 5280 method 1).
    public let subjectKeyIdentifier: String

    /// - Throws: ``SignPeerError`` `.internalError` when `der` is not a public key OpenSSL reads.
    public init(derEncoded der: [UInt8]) throws {
        guard let key = X509Fields.decodePublicKey(der) else {
            throw openSSLFailure("the public key cannot be decoded")
        }
        defer { EVP_PKEY_free(key) }
        let encoded = try PrivateKey.encodePublicKey(key)
        self.der = encoded.der
        subjectKeyIdentifier = encoded.identifier
        (algorithm, specification) = X509Fields.describe(key)
    }

    /// An RSA key from its modulus and public exponent (big-endian magnitudes).
    public static func rsa(modulus: [UInt8], publicExponent: [UInt8]) throws -> PublicKeyInfo {
        let key = DER.sequence([DER.unsignedInteger(modulus), DER.unsignedInteger(publicExponent)])
        return try PublicKeyInfo(derEncoded: DER.sequence([
            DER.sequence([DER.objectIdentifier("1.2.840.113549.1.1.1"), DER.null]), DER.bitString(key),
        ]))
    }

    /// An EC or EdDSA key from PKCS#11's `CKA_EC_PARAMS` and `CKA_EC_POINT`.
    ///
    /// The parameters are a named-curve OID, or — as some tools write them for EdDSA — a
    /// PrintableString `edwards25519`/`edwards448`. The point is a DER OCTET STRING, as PKCS#11
    /// prescribes, or the raw point some modules return.
    public static func ellipticCurve(parameters: [UInt8], point: [UInt8]) throws -> PublicKeyInfo {
        let raw: [UInt8]
        if let (tag, content) = DER.element(point), tag == 0x04 { raw = content } else { raw = point }
        let edwards: [String: String] = [
            "1.3.101.112": "1.3.101.112", "1.3.101.113": "1.3.101.113",
            "edwards25519": "1.3.101.112", "edwards448": "1.3.101.113",
        ]
        let name: String? = DER.element(parameters).flatMap { tag, content in
            switch tag {
            case 0x13, 0x0C: return String(decoding: content, as: UTF8.self)
            case 0x06: return ObjectIdentifierText.dotted(parameters)
            default: return nil
            }
        }
        if let name, let oid = edwards[name] {
            return try PublicKeyInfo(derEncoded: DER.sequence([DER.sequence([DER.objectIdentifier(oid)]), DER.bitString(raw)]))
        }
        guard DER.element(parameters)?.tag == 0x06 else {
            throw SignPeerError.internalError("The HSM returned EC parameters that are not a named curve.")
        }
        return try PublicKeyInfo(derEncoded: DER.sequence([
            DER.sequence([DER.objectIdentifier("1.2.840.10045.2.1"), parameters]), DER.bitString(raw),
        ]))
    }
}

/// Dotted text of a DER OBJECT IDENTIFIER, through OpenSSL.
enum ObjectIdentifierText {
    static func dotted(_ der: [UInt8]) -> String? {
        let object: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_ASN1_OBJECT(nil, &cursor, buffer.count)
        }
        guard let object else {
            ERR_clear_error()
            return nil
        }
        defer { ASN1_OBJECT_free(object) }
        var text = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&text, Int32(text.count), object, 1)
        guard length > 0, length < text.count else { return nil }
        return String(decoding: text[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension KeyGenerationSpec.NamedCurve {
    /// The curve's OBJECT IDENTIFIER in DER, as PKCS#11's `CKA_EC_PARAMS` wants it.
    public var objectIdentifierDER: [UInt8] {
        let dotted = switch self {
        case .secp256r1: "1.2.840.10045.3.1.7"
        case .secp384r1: "1.3.132.0.34"
        case .secp521r1: "1.3.132.0.35"
        case .brainpoolP256r1: "1.3.36.3.3.2.8.1.1.7"
        case .brainpoolP384r1: "1.3.36.3.3.2.8.1.1.11"
        case .brainpoolP512r1: "1.3.36.3.3.2.8.1.1.13"
        }
        return DER.objectIdentifier(dotted)
    }
}

extension KeyGenerationSpec.KeyAlgorithm {
    /// The EdDSA curve OID in DER (`CKA_EC_PARAMS` for an Edwards key); `nil` for RSA and EC.
    public var edwardsObjectIdentifierDER: [UInt8]? {
        switch self {
        case .ed25519: DER.objectIdentifier("1.3.101.112")
        case .ed448: DER.objectIdentifier("1.3.101.113")
        case .rsa, .ec: nil
        }
    }
}
