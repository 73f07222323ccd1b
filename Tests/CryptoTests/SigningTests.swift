import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerTestSupport
import Testing

@Suite struct SigningTests {
    static let data = Array("SignPeer signs this.".utf8)

    @Test(arguments: CertificationRequestTests.combinations)
    func signatureVerifiesHereAndWithOpenSSL(_ keyIndex: Int, _ algorithm: SignatureAlgorithm) async throws {
        let keys = try await TestKeys.load()
        let key = keys.keys[keyIndex]
        let signature = try key.sign(Self.data, algorithm: algorithm)
        #expect(algorithm.verify(signature: signature, data: Self.data, publicKeyInfoDER: key.publicKeyInfoDER))
        #expect(!algorithm.verify(signature: signature, data: Self.data + [0], publicKeyInfoDER: key.publicKeyInfoDER))
        let other = try #require(keys.keys.first { $0.algorithm == key.algorithm && $0 !== key } ?? keys.keys.first { $0 !== key })
        #expect(!algorithm.verify(signature: signature, data: Self.data, publicKeyInfoDER: other.publicKeyInfoDER))
        #expect(!algorithm.verify(signature: signature, data: Self.data, publicKeyInfoDER: [0x30, 0x00]))

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try publicKeyPEM(key).write(toFile: directory.path("public.pem"), atomically: true, encoding: .utf8)
        try Data(Self.data).write(to: URL(fileURLWithPath: directory.path("data")))
        try Data(signature).write(to: URL(fileURLWithPath: directory.path("signature")))
        try await openssl(Self.openSSLArguments(algorithm, signing: false), in: directory.url)
    }

    /// The other direction: `openssl` signs, SignPeer verifies.
    @Test(arguments: [
        (["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], SignatureAlgorithm.sha384WithRSAandMGF1),
        (["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], .sha512WithRSA),
        (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], .sha384WithECDSA),
        (["-algorithm", "ED25519"], .ed25519),
        (["-algorithm", "ED448"], .ed448),
    ])
    func verifiesOpenSSLSignatures(_ keyOptions: [String], _ algorithm: SignatureAlgorithm) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data(Self.data).write(to: URL(fileURLWithPath: directory.path("data")))
        try await openssl(["genpkey"] + keyOptions + ["-out", "key.pem"], in: directory.url)
        try await openssl(["pkey", "-in", "key.pem", "-pubout", "-outform", "DER", "-out", "public.der"], in: directory.url)
        try await openssl(Self.openSSLArguments(algorithm, signing: true), in: directory.url)
        let publicKey = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.path("public.der"))))
        let signature = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.path("signature"))))
        #expect(algorithm.verify(signature: signature, data: Self.data, publicKeyInfoDER: publicKey))
        #expect(!algorithm.verify(signature: signature, data: Self.data.reversed(), publicKeyInfoDER: publicKey))
    }

    /// `openssl` arguments that sign `data` with `key.pem` into `signature`, or verify
    /// `signature` over `data` with `public.pem`.
    static func openSSLArguments(_ algorithm: SignatureAlgorithm, signing: Bool) -> [String] {
        let name = algorithm.description.lowercased()
        guard name.hasPrefix("sha") else {
            return ["pkeyutl", "-rawin", "-in", "data"]
                + (signing
                    ? ["-sign", "-inkey", "key.pem", "-out", "signature"]
                    : ["-verify", "-pubin", "-inkey", "public.pem", "-sigfile", "signature"])
        }
        let pss = name.hasSuffix("mgf1") ? ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"] : []
        return ["dgst", "-" + name.prefix(6)]
            + (signing ? ["-sign", "key.pem", "-out", "signature"] : ["-verify", "public.pem", "-signature", "signature"])
            + pss + ["data"]
    }
}
