import COpenSSL
import SignPeerCore

/// A private key held by OpenSSL, with the public facts key listings report about it (SPEC §5).
///
/// `@unchecked Sendable`: the `EVP_PKEY` is never modified after creation, and OpenSSL 3 allows
/// concurrent read-only use of one `EVP_PKEY` (signing, encoding) from several threads; every
/// other property is an immutable Swift value computed once at creation.
///
/// The key material leaves this type only encrypted inside a ``PKCS12KeyStore``: there is no
/// accessor, description or error message that shows it.
public final class PrivateKey: @unchecked Sendable {
    /// The owned `EVP_PKEY`, freed in `deinit`.
    let pkey: OpaquePointer
    /// The DER-encoded SubjectPublicKeyInfo of the key's public half.
    public let publicKeyInfoDER: [UInt8]
    /// `"RSA"`, `"EC"`, `"Ed25519"`, `"Ed448"`, as ``Certificate/publicKeyAlgorithm`` spells them.
    public let algorithm: String
    /// The RSA modulus length in bits (`"2048"`) or the canonical EC curve name (`"secp256r1"`);
    /// `nil` for EdDSA.
    public let specification: String?
    /// Lower-case hex SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 §4.2.1.2
    /// method 1), equal to ``Certificate/subjectKeyIdentifier`` of any certificate for this key.
    public let subjectKeyIdentifier: String

    /// Takes ownership of `pkey`: it is freed by `deinit`, or right here when reading it fails.
    init(adopting pkey: OpaquePointer) throws {
        let publicKey: (der: [UInt8], identifier: String)
        do {
            publicKey = try Self.encodePublicKey(pkey)
        } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
        self.pkey = pkey
        publicKeyInfoDER = publicKey.der
        subjectKeyIdentifier = publicKey.identifier
        (algorithm, specification) = X509Fields.describe(pkey)
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// Generates a new key pair, blocking the calling thread: RSA-4096 takes seconds. Call it
    /// through ``KeyGenerator`` from async code.
    ///
    /// - Throws: ``SignPeerError`` `.internalError` when OpenSSL fails.
    public static func generate(_ spec: KeyGenerationSpec) throws -> PrivateKey {
        let name = switch spec.algorithm {
        case .rsa: "RSA"
        case .ec: "EC"
        case .ed25519: "ED25519"
        case .ed448: "ED448"
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            throw openSSLFailure("cannot set up \(name) key generation")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw openSSLFailure("cannot set up \(name) key generation") }
        switch spec.algorithm {
        case .rsa(let bits):
            guard let exponent = BN_new() else { throw openSSLFailure("out of memory") }
            defer { BN_free(exponent) }
            guard BN_set_word(exponent, UInt(RSA_F4)) == 1,
                EVP_PKEY_CTX_set1_rsa_keygen_pubexp(context, exponent) == 1,
                EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(clamping: bits)) == 1
            else { throw openSSLFailure("cannot generate an RSA key of \(bits) bits") }
        case .ec(let curve):
            guard EVP_PKEY_CTX_set_group_name(context, curve.openSSLGroupName) == 1 else {
                throw openSSLFailure("cannot generate a key on curve \(curve.rawValue)")
            }
        case .ed25519, .ed448:
            break
        }
        var pkey: OpaquePointer?
        guard EVP_PKEY_generate(context, &pkey) == 1, let pkey else {
            throw openSSLFailure("\(name) key generation failed")
        }
        return try PrivateKey(adopting: pkey)
    }

    /// The SubjectPublicKeyInfo DER and the key identifier, both from one `X509_PUBKEY`.
    static func encodePublicKey(_ pkey: OpaquePointer) throws -> (der: [UInt8], identifier: String) {
        var publicKey: OpaquePointer?
        defer { X509_PUBKEY_free(publicKey) }
        var bits: UnsafePointer<UInt8>?
        var bitsLength: Int32 = 0
        guard X509_PUBKEY_set(&publicKey, pkey) == 1, let publicKey,
            X509_PUBKEY_get0_param(nil, &bits, &bitsLength, nil, publicKey) == 1, let bits
        else { throw openSSLFailure("cannot encode the public key") }
        guard let der = DER.encode(publicKey, with: i2d_X509_PUBKEY) else {
            throw openSSLFailure("cannot encode the public key")
        }
        let identifier = Digest.sha1.hex(of: Array(UnsafeBufferPointer(start: bits, count: Int(bitsLength))))
        return (der, identifier)
    }
}
