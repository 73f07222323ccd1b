import COpenSSL
import SignPeerCore

extension PrivateKey {
    /// The unencrypted PKCS#8 `PrivateKeyInfo` DER of the key, for sealing it under a token's
    /// ``KeyEncryptionKey`` at once. Callers must not keep, log or send it.
    public func pkcs8DER() throws -> [UInt8] {
        guard let info = EVP_PKEY2PKCS8(pkey) else { throw openSSLFailure("cannot encode the private key") }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        let length = i2d_PKCS8_PRIV_KEY_INFO(info, nil)
        guard length > 0 else { throw openSSLFailure("cannot encode the private key") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_PKCS8_PRIV_KEY_INFO(info, &cursor)
        }
        guard written == length else { throw openSSLFailure("cannot encode the private key") }
        return der
    }

    /// The key of a PKCS#8 `PrivateKeyInfo` DER (what ``pkcs8DER()`` wrote).
    ///
    /// - Throws: ``SignPeerError`` `.internalError` when the bytes are not a readable key.
    public convenience init(pkcs8DER der: [UInt8]) throws {
        let info: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_PKCS8_PRIV_KEY_INFO(nil, &cursor, buffer.count)
        }
        guard let info else { throw openSSLFailure("cannot read a stored private key") }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        guard let pkey = EVP_PKCS82PKEY(info) else { throw openSSLFailure("cannot read a stored private key") }
        try self.init(adopting: pkey)
    }
}
