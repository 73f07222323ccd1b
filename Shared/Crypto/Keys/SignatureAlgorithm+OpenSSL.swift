import COpenSSL
import SignPeerCore

extension SignatureAlgorithm {
    /// The message digest; `nil` for EdDSA, which OpenSSL must be given a NULL digest for.
    var digest: OpaquePointer? {
        switch hashLength {
        case 32: EVP_sha256()
        case 48: EVP_sha384()
        case 64: EVP_sha512()
        default: nil
        }
    }

    /// Sets the RSASSA-PSS parameters on a signing or verifying key context: MGF1 with the same
    /// hash, salt as long as the hash. Nothing to set for the other algorithms.
    func configure(_ keyContext: OpaquePointer) -> Bool {
        guard usesPSS else { return true }
        return EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1
            && EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) == 1
            && EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, digest) == 1
    }

    /// Whether `signature` is this algorithm's signature of `data` by the key of
    /// `publicKeyInfoDER` (a DER SubjectPublicKeyInfo). Any malformed input is `false`.
    public func verify(signature: [UInt8], data: [UInt8], publicKeyInfoDER: [UInt8]) -> Bool {
        defer { ERR_clear_error() }
        guard let key = X509Fields.decodePublicKey(publicKeyInfoDER) else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard EVP_DigestVerifyInit(context, &keyContext, digest, nil, key) == 1, let keyContext, configure(keyContext)
        else { return false }
        return EVP_DigestVerify(context, signature, signature.count, data, data.count) == 1
    }
}

extension PrivateKey {
    /// Signs `data` with `algorithm` (hashing it first, except for EdDSA which signs the message).
    ///
    /// - Throws: ``SignPeerError`` `.invalidProperty` when the algorithm does not fit the key,
    ///   `.internalError` when OpenSSL fails.
    public func sign(_ data: [UInt8], algorithm: SignatureAlgorithm) throws -> [UInt8] {
        try withSigningContext(algorithm) { context in
            var length = 0
            guard EVP_DigestSign(context, nil, &length, data, data.count) == 1 else {
                throw openSSLFailure("\(algorithm) signing failed")
            }
            var signature = [UInt8](repeating: 0, count: length)
            guard EVP_DigestSign(context, &signature, &length, data, data.count) == 1 else {
                throw openSSLFailure("\(algorithm) signing failed")
            }
            return Array(signature.prefix(length))
        }
    }

    /// Runs `body` with an `EVP_MD_CTX` initialized to sign with this key and `algorithm`, for
    /// one-shot signing or for `X509_REQ_sign_ctx`; the context is freed afterwards.
    func withSigningContext<T>(_ algorithm: SignatureAlgorithm, _ body: (OpaquePointer) throws -> T) throws -> T {
        if let misfit = algorithm.misfit(for: self) {
            throw SignPeerError.invalidProperty("signature algorithm '\(algorithm)' \(misfit)")
        }
        guard let context = EVP_MD_CTX_new() else { throw openSSLFailure("out of memory") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard EVP_DigestSignInit(context, &keyContext, algorithm.digest, nil, pkey) == 1, let keyContext,
            algorithm.configure(keyContext)
        else { throw openSSLFailure("cannot set up \(algorithm) signing") }
        return try body(context)
    }
}
