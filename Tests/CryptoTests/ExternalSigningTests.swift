import Foundation
@testable import SignPeerCrypto
import SignPeerCore
import SignPeerTestSupport
import Testing

/// The pieces an HSM-signed CSR is assembled from (SPEC §6.1), checked against what OpenSSL
/// itself produces for an in-memory key: AlgorithmIdentifiers byte for byte, DigestInfo and the
/// ECDSA conversion through verification.
@Suite("External signing")
struct ExternalSigningTests {
    /// The signatureAlgorithm of a CSR that OpenSSL signed itself.
    static func signatureAlgorithmDER(of request: CertificationRequest) throws -> [UInt8] {
        let (_, content) = try #require(DER.element(request.der))
        // CertificationRequest ::= SEQUENCE { info, signatureAlgorithm, signature }: skip info.
        func next(_ bytes: ArraySlice<UInt8>) -> (element: [UInt8], rest: ArraySlice<UInt8>) {
            var length = Int(bytes[bytes.startIndex + 1]), header = 2
            if length & 0x80 != 0 {
                let count = length & 0x7F
                length = bytes[(bytes.startIndex + 2)..<(bytes.startIndex + 2 + count)].reduce(0) { $0 << 8 | Int($1) }
                header += count
            }
            let end = bytes.startIndex + header + length
            return (Array(bytes[bytes.startIndex..<end]), bytes[end...])
        }
        let afterInfo = next(content[...]).rest
        return next(afterInfo).element
    }

    @Test(arguments: SignatureAlgorithm.allCases)
    func algorithmIdentifiersAreWhatOpenSSLWrites(algorithm: SignatureAlgorithm) async throws {
        let keys = try await TestKeys.load()
        let key = try keys.key(algorithm.keyAlgorithm, algorithm.keyAlgorithm == "RSA" ? "2048" : algorithm.keyAlgorithm == "EC" ? "secp256r1" : nil)
        let subject = DistinguishedName(rdns: [RelativeDistinguishedName([.init(type: "CN", value: "x")])])
        let reference = try CertificationRequest.make(subject: subject, key: key, algorithm: algorithm)
        #expect(try Self.signatureAlgorithmDER(of: reference) == algorithm.algorithmIdentifierDER)

        // The same CSR built for an "external" signer that only has the public key verifies.
        let publicKey = try PublicKeyInfo(derEncoded: key.publicKeyInfoDER)
        #expect(publicKey.subjectKeyIdentifier == key.subjectKeyIdentifier && publicKey.algorithm == key.algorithm)
        let external = try CertificationRequest.make(subject: subject, publicKey: publicKey, algorithm: algorithm) { tbs in
            try key.sign(tbs, algorithm: algorithm)
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try external.pem.write(toFile: directory.path("x.csr"), atomically: true, encoding: .utf8)
        let verified = try await ProcessRunner.run("openssl", ["req", "-in", directory.path("x.csr"), "-noout", "-verify"])
        #expect((verified.stdout + verified.stderr).contains("verify OK"), "\(verified.stderr)")
    }

    @Test func digestInfoAndRawECDSASignaturesHaveTheirStandardForms() throws {
        let digestInfo = try #require(SignatureAlgorithm.sha256WithRSA.digestInfo(of: Array("abc".utf8)))
        // RFC 8017 §9.2 note 1: the SHA-256 DigestInfo prefix.
        let prefix: [UInt8] = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
        #expect(Array(digestInfo.prefix(prefix.count)) == prefix && digestInfo.count == prefix.count + 32)
        #expect(SignatureAlgorithm.sha256WithRSAandMGF1.digestInfo(of: [1]) == nil)
        // r with its high bit set gets a leading zero; s with leading zeros loses them.
        let raw: [UInt8] = [0x80] + [UInt8](repeating: 1, count: 31) + [0, 0] + [UInt8](repeating: 2, count: 30)
        let der = try SignatureAlgorithm.ecdsaSignatureDER(fromRaw: raw)
        #expect(der.prefix(4) == [0x30, 0x43, 0x02, 0x21] && der[4] == 0 && der[5] == 0x80)
        #expect(Array(der[(4 + 33)..<(4 + 33 + 2)]) == [0x02, 0x1e])
        #expect(throws: SignPeerError.self) { try SignatureAlgorithm.ecdsaSignatureDER(fromRaw: [1, 2, 3]) }
    }
}
