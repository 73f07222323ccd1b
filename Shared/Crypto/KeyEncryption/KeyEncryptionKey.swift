import COpenSSL
import SignPeerCore

/// The key that encrypts each private key of a `KeystoreInConfigCryptoToken` (SPEC §6, §13),
/// derived once per activation from the token's authentication code.
///
/// Deriving is deliberately slow (a high-iteration PBKDF2), so it happens at activation only;
/// afterwards sealing or opening one key is one AES-256-GCM operation, and generating, removing or
/// using a key touches only that key's row, whatever the number of keys in the token.
///
/// `@unchecked Sendable`: the key bytes are written once in `init` and only read afterwards.
public final class KeyEncryptionKey: @unchecked Sendable {
    /// How a token's key-encryption key is derived; stored per token so that the parameters can be
    /// raised for new tokens without breaking old ones.
    public struct Parameters: Sendable, Equatable {
        /// Only `"PBKDF2-HMAC-SHA256"` is defined so far.
        public var algorithm: String
        public var iterations: Int
        public var salt: [UInt8]

        public static let pbkdf2SHA256 = "PBKDF2-HMAC-SHA256"
        /// OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
        public static let defaultIterations = 600_000

        public init(algorithm: String, iterations: Int, salt: [UInt8]) {
            self.algorithm = algorithm
            self.iterations = iterations
            self.salt = salt
        }

        /// Fresh parameters for a new token: a random 16-byte salt and the default iterations.
        public static func generate(iterations: Int = defaultIterations) throws -> Parameters {
            Parameters(algorithm: pbkdf2SHA256, iterations: iterations, salt: try SecureRandom.bytes(16))
        }
    }

    private var key: [UInt8]
    public let parameters: Parameters

    /// Derives the key from `code`, blocking the calling thread for the whole derivation (a
    /// fraction of a second by design): call it through ``BlockingWork``.
    ///
    /// - Throws: ``SignPeerError`` `.internalError` for unknown parameters or an OpenSSL failure.
    public init(code: String, parameters: Parameters) throws {
        guard parameters.algorithm == Parameters.pbkdf2SHA256, (1...100_000_000).contains(parameters.iterations),
            !parameters.salt.isEmpty
        else { throw SignPeerError.internalError("Unknown key derivation parameters for the token.") }
        var key = [UInt8](repeating: 0, count: 32)
        let password = Array(code.utf8)
        let derived = password.withUnsafeBufferPointer { password in
            password.withMemoryRebound(to: CChar.self) { password in
                PKCS5_PBKDF2_HMAC(
                    password.baseAddress, Int32(password.count), parameters.salt, Int32(parameters.salt.count),
                    Int32(parameters.iterations), EVP_sha256(), Int32(key.count), &key)
            }
        }
        guard derived == 1 else { throw openSSLFailure("cannot derive the key-encryption key") }
        self.key = key
        self.parameters = parameters
    }

    deinit {
        // Best effort: the derived key does not outlive the token session in this buffer.
        for index in key.indices { key[index] = 0 }
    }

    /// Encrypts `plaintext` with AES-256-GCM under a fresh 12-byte nonce, authenticating
    /// `associatedData` too. The result is nonce ‖ ciphertext ‖ 16-byte tag.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        let nonce = try SecureRandom.bytes(Self.nonceLength)
        guard let context = EVP_CIPHER_CTX_new() else { throw openSSLFailure("out of memory") }
        defer { EVP_CIPHER_CTX_free(context) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + Self.tagLength)
        var length: Int32 = 0
        var tag = [UInt8](repeating: 0, count: Self.tagLength)
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_IVLEN, Int32(Self.nonceLength), nil) == 1,
            EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1,
            associatedData.isEmpty
                || EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1,
            EVP_EncryptUpdate(context, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1
        else { throw openSSLFailure("cannot encrypt a key") }
        var total = Int(length)
        let finished = ciphertext.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + total, &length)
        }
        guard finished == 1, EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(Self.tagLength), &tag) == 1
        else { throw openSSLFailure("cannot encrypt a key") }
        total += Int(length)
        return nonce + ciphertext[0..<total] + tag
    }

    /// Decrypts what ``seal(_:associatedData:)`` produced with the same associated data; `nil`
    /// when the data, the associated data or the key do not match (the tag does not verify).
    public func open(_ sealed: [UInt8], associatedData: [UInt8]) -> [UInt8]? {
        defer { ERR_clear_error() }
        guard sealed.count >= Self.nonceLength + Self.tagLength,
            let context = EVP_CIPHER_CTX_new()
        else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        let nonce = Array(sealed[0..<Self.nonceLength])
        let ciphertext = Array(sealed[Self.nonceLength..<(sealed.count - Self.tagLength)])
        var tag = Array(sealed[(sealed.count - Self.tagLength)...])
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var length: Int32 = 0
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_IVLEN, Int32(Self.nonceLength), nil) == 1,
            EVP_DecryptInit_ex(context, nil, nil, key, nonce) == 1,
            associatedData.isEmpty
                || EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1,
            EVP_DecryptUpdate(context, &plaintext, &length, ciphertext, Int32(ciphertext.count)) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(Self.tagLength), &tag) == 1
        else { return nil }
        var total = Int(length)
        let finished = plaintext.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress! + total, &length)
        }
        guard finished == 1 else {
            for index in plaintext.indices { plaintext[index] = 0 }
            return nil
        }
        total += Int(length)
        return Array(plaintext[0..<total])
    }

    static let nonceLength = 12
    static let tagLength = 16
}

/// Random bytes from OpenSSL's CSPRNG.
public enum SecureRandom {
    public static func bytes(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw openSSLFailure("no random bytes") }
        return bytes
    }
}
