import CPKCS11
import SignPeerCore
import SignPeerCrypto

extension PKCS11Token {
    /// Signs `data` with the key of `entry` in the HSM and returns the signature in X.509 form.
    /// The host hashes (RSA PKCS#1 v1.5 over a DigestInfo, RSA-PSS and ECDSA over the digest), so
    /// only the digest goes to the HSM; EdDSA signs the whole message (SPEC §6.1).
    public func sign(_ data: [UInt8], with entry: PKCS11KeyEntry, algorithm: SignatureAlgorithm) async throws -> [UInt8] {
        try await perform("sign") { session in try session.sign(data, alias: entry.alias, id: entry.id, algorithm: algorithm) }
    }

    /// A PKCS#10 request for the key of `entry`, signed in the HSM: OpenSSL builds the
    /// CertificationRequestInfo, the HSM signs it (one call, one session).
    public func certificationRequest(
        subject: DistinguishedName, entry: PKCS11KeyEntry, algorithm: SignatureAlgorithm
    ) async throws -> CertificationRequest {
        guard let publicKey = entry.publicKey else {
            throw SignPeerError.keyNotFound("The public key of '\(entry.alias.prefix(64))' is not in the token.")
        }
        return try await perform("sign the certification request") { session in
            try CertificationRequest.make(subject: subject, publicKey: publicKey, algorithm: algorithm) { tbs in
                try session.sign(tbs, alias: entry.alias, id: entry.id, algorithm: algorithm)
            }
        }
    }
}

extension PKCS11Session {
    func sign(_ data: [UInt8], alias: String, id: [UInt8], algorithm: SignatureAlgorithm) throws -> [UInt8] {
        guard let key = try knownPrivateKey(alias: alias, id: id) else {
            throw SignPeerError.keyNotFound("The token has no key '\(alias.prefix(64))'.")
        }
        var input: [UInt8]
        var parameters = CK_RSA_PKCS_PSS_PARAMS()
        let mechanismType: CK_MECHANISM_TYPE
        let mechanismName: String
        switch algorithm.keyAlgorithm {
        case "RSA" where algorithm.isRSASSAPSS:
            input = algorithm.digest(of: data)!
            let (hash, mgf): (CK_MECHANISM_TYPE, CK_RSA_PKCS_MGF_TYPE) =
                switch algorithm.hashByteCount {
                case 32: (CK.sha256, CK.mgf1SHA256)
                case 48: (CK.sha384, CK.mgf1SHA384)
                default: (CK.sha512, CK.mgf1SHA512)
                }
            parameters = CK_RSA_PKCS_PSS_PARAMS(hashAlg: hash, mgf: mgf, sLen: CK_ULONG(input.count))
            (mechanismType, mechanismName) = (CK.rsaPSS, "CKM_RSA_PKCS_PSS")
        case "RSA":
            input = algorithm.digestInfo(of: data)!
            (mechanismType, mechanismName) = (CK.rsaPKCS, "CKM_RSA_PKCS")
        case "EC":
            input = algorithm.digest(of: data)!
            (mechanismType, mechanismName) = (CK.ecdsa, "CKM_ECDSA")
        default:
            input = data
            (mechanismType, mechanismName) = (CK.eddsa, "CKM_EDDSA")
        }
        let rv = withUnsafeMutablePointer(to: &parameters) { pointer in
            var mechanism = CK_MECHANISM(
                mechanism: mechanismType,
                pParameter: algorithm.isRSASSAPSS ? UnsafeMutableRawPointer(pointer) : nil,
                ulParameterLen: algorithm.isRSASSAPSS ? CK_ULONG(MemoryLayout<CK_RSA_PKCS_PSS_PARAMS>.size) : 0)
            return functions.C_SignInit!(handle, &mechanism, key.handle)
        }
        if rv == CK.mechanismInvalid {
            throw SignPeerError(
                .invalidProperty, "SIGNATUREALGORITHM '\(algorithm)' cannot be used: the module has no \(mechanismName).")
        }
        try check(rv, "C_SignInit")
        // 2048 bytes hold an RSA-16384 signature: one C_Sign in the usual case.
        var signature = [UInt8](repeating: 0, count: 2048)
        var length = CK_ULONG(signature.count)
        var signed = functions.C_Sign!(handle, &input, CK_ULONG(input.count), &signature, &length)
        if signed == CK.bufferTooSmall {
            signature = [UInt8](repeating: 0, count: Int(length))
            signed = functions.C_Sign!(handle, &input, CK_ULONG(input.count), &signature, &length)
        }
        try check(signed, "C_Sign")
        let raw = Array(signature.prefix(Int(length)))
        return algorithm.keyAlgorithm == "EC" ? try SignatureAlgorithm.ecdsaSignatureDER(fromRaw: raw) : raw
    }
}
