import COpenSSL
import SignPeerCore

extension CertificationRequest {
    /// Builds a version 1 request for a key whose private half is elsewhere (an HSM): OpenSSL
    /// encodes the CertificationRequestInfo, `sign` signs its DER (returning the signature in
    /// X.509 form, e.g. an ECDSA-Sig-Value), and OpenSSL encodes the whole request.
    ///
    /// - Throws: ``SignPeerError`` `.invalidDN` for a subject that cannot be encoded,
    ///   `.invalidProperty` when `algorithm` does not fit the key, whatever `sign` throws, and
    ///   `.internalError` when OpenSSL fails.
    public static func make(
        subject: DistinguishedName, publicKey: PublicKeyInfo, algorithm: SignatureAlgorithm,
        sign: ([UInt8]) throws -> [UInt8]
    ) throws -> CertificationRequest {
        if let misfit = algorithm.misfit(keyAlgorithm: publicKey.algorithm, keySpecification: publicKey.specification) {
            throw SignPeerError(.invalidProperty, "signature algorithm '\(algorithm)' \(misfit)")
        }
        guard let request = X509_REQ_new() else { throw openSSLFailure("out of memory") }
        defer { X509_REQ_free(request) }
        let name = try X509NameEncoder.encode(subject)
        defer { X509_NAME_free(name) }
        guard let key = X509Fields.decodePublicKey(publicKey.der) else { throw openSSLFailure("cannot decode the public key") }
        defer { EVP_PKEY_free(key) }
        let identifier = algorithm.algorithmIdentifierDER
        let algorithmIdentifier: UnsafeMutablePointer<X509_ALGOR>? = identifier.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_X509_ALGOR(nil, &cursor, buffer.count)
        }
        guard let algorithmIdentifier else { throw openSSLFailure("cannot decode the signature algorithm") }
        defer { X509_ALGOR_free(algorithmIdentifier) }
        guard X509_REQ_set_version(request, Int(X509_REQ_VERSION_1)) == 1,
            X509_REQ_set_subject_name(request, name) == 1,
            X509_REQ_set_pubkey(request, key) == 1,
            X509_REQ_set1_signature_algo(request, algorithmIdentifier) == 1
        else { throw openSSLFailure("cannot fill in the certification request") }

        var tbsPointer: UnsafeMutablePointer<UInt8>?
        let tbsLength = i2d_re_X509_REQ_tbs(request, &tbsPointer)
        guard tbsLength > 0, let tbsPointer else { throw openSSLFailure("cannot encode the certification request") }
        let tbs = Array(UnsafeBufferPointer(start: tbsPointer, count: Int(tbsLength)))
        CRYPTO_free(tbsPointer, #fileID, #line)

        var signature = try sign(tbs)
        guard let bits = ASN1_BIT_STRING_new() else { throw openSSLFailure("out of memory") }
        guard ASN1_BIT_STRING_set(bits, &signature, Int32(signature.count)) == 1 else {
            ASN1_BIT_STRING_free(bits)
            throw openSSLFailure("cannot store the signature")
        }
        // Without BITS_LEFT, OpenSSL would drop trailing zero bytes of the signature when encoding.
        bits.pointee.flags &= ~(Int(ASN1_STRING_FLAG_BITS_LEFT) | 0x07)
        bits.pointee.flags |= Int(ASN1_STRING_FLAG_BITS_LEFT)
        X509_REQ_set0_signature(request, bits)

        let length = i2d_X509_REQ(request, nil)
        guard length > 0 else { throw openSSLFailure("cannot encode the certification request") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_X509_REQ(request, &cursor)
        }
        guard written == length else { throw openSSLFailure("cannot encode the certification request") }
        return CertificationRequest(der: der)
    }
}
