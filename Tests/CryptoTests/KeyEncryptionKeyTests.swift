import Foundation
import SignPeerCore
import SignPeerCrypto
import Testing

/// The per-key sealing of `KeystoreInConfigCryptoToken` keys (SPEC §6, §13): AES-256-GCM under a
/// key derived from the token's code, bound to token and alias by the associated data.
@Suite struct KeyEncryptionKeyTests {
    /// Few iterations: the tests check the construction, not the work factor.
    static func key(_ code: String, salt: [UInt8] = Array(repeating: 7, count: 16)) throws -> KeyEncryptionKey {
        try KeyEncryptionKey(
            code: code, parameters: .init(algorithm: KeyEncryptionKey.Parameters.pbkdf2SHA256, iterations: 1_000, salt: salt))
    }

    @Test func sealsAndOpensWithTheSameCodeAndAssociatedData() throws {
        let key = try Self.key("foo123")
        let plaintext = Array("a private key".utf8)
        let sealed = try key.seal(plaintext, associatedData: Array("token 1 alias a".utf8))
        #expect(sealed.count == 12 + plaintext.count + 16)
        #expect(!sealed.windows(ofCount: plaintext.count).contains { Array($0) == plaintext })
        #expect(key.open(sealed, associatedData: Array("token 1 alias a".utf8)) == plaintext)
        // The same code and salt derive the same key (another activation).
        #expect(try Self.key("foo123").open(sealed, associatedData: Array("token 1 alias a".utf8)) == plaintext)
        // A fresh nonce each time.
        #expect(try key.seal(plaintext, associatedData: []) != key.seal(plaintext, associatedData: []))
    }

    @Test func refusesAnotherCodeSaltAliasOrAnyChangedByte() throws {
        let key = try Self.key("foo123")
        let data = Array("token 1 alias a".utf8)
        let sealed = try key.seal(Array("secret".utf8), associatedData: data)
        #expect(try Self.key("foo124").open(sealed, associatedData: data) == nil)
        #expect(try Self.key("foo123", salt: Array(repeating: 8, count: 16)).open(sealed, associatedData: data) == nil)
        #expect(key.open(sealed, associatedData: Array("token 1 alias b".utf8)) == nil)
        #expect(key.open(sealed, associatedData: Array("token 2 alias a".utf8)) == nil)
        for index in sealed.indices {
            var changed = sealed
            changed[index] ^= 0x01
            #expect(key.open(changed, associatedData: data) == nil, "byte \(index)")
        }
        #expect(key.open(Array(sealed.prefix(20)), associatedData: data) == nil)
    }

    @Test func refusesUnknownParametersAndGeneratesFreshSalts() throws {
        #expect(throws: SignPeerError.self) {
            try KeyEncryptionKey(code: "x", parameters: .init(algorithm: "MD5", iterations: 1, salt: [1]))
        }
        #expect(throws: SignPeerError.self) {
            try KeyEncryptionKey(
                code: "x", parameters: .init(algorithm: KeyEncryptionKey.Parameters.pbkdf2SHA256, iterations: 0, salt: [1]))
        }
        let fresh = try KeyEncryptionKey.Parameters.generate()
        #expect(fresh.salt.count == 16 && fresh.iterations == KeyEncryptionKey.Parameters.defaultIterations)
        #expect(try KeyEncryptionKey.Parameters.generate().salt != fresh.salt)
    }

    @Test func privateKeysRoundTripThroughPKCS8() async throws {
        let keys = try await TestKeys.load()
        for spec in TestKeys.specs {
            let key = try keys.key(spec.algorithm, spec.specification)
            let copy = try PrivateKey(pkcs8DER: try key.pkcs8DER())
            #expect(copy.publicKeyInfoDER == key.publicKeyInfoDER)
            #expect((copy.algorithm, copy.specification) == (key.algorithm, key.specification))
            #expect(copy.subjectKeyIdentifier == key.subjectKeyIdentifier)
            let algorithm = try SignatureAlgorithm.forKey(configured: nil, requestSignatureAlgorithm: nil, key: copy)
            let signature = try copy.sign([4, 5, 6], algorithm: algorithm)
            #expect(algorithm.verify(signature: signature, data: [4, 5, 6], publicKeyInfoDER: key.publicKeyInfoDER))
        }
        #expect(throws: SignPeerError.self) { try PrivateKey(pkcs8DER: [0x30, 0x03, 0x02, 0x01, 0x00]) }
    }
}

extension Array {
    fileprivate func windows(ofCount count: Int) -> [ArraySlice<Element>] {
        guard count > 0, count <= self.count else { return [] }
        return (0...(self.count - count)).map { self[$0..<($0 + count)] }
    }
}
