import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerTestSupport
import Testing

@Suite struct PrivateKeyTests {
    /// The algorithm and size or curve `openssl pkey -text` reports for the key, and the subject
    /// key identifier `openssl` writes into a certificate it issues for the key.
    @Test(arguments: TestKeys.specs.indices)
    func generatedKeyMatchesOpenSSL(_ index: Int) async throws {
        let spec = TestKeys.specs[index]
        let key = try await TestKeys.load().keys[index]
        #expect(key.algorithm == spec.algorithm)
        #expect(key.specification == spec.specification)

        let text = try await openssl(["pkey", "-pubin", "-text", "-noout"], input: publicKeyPEM(key))
        #expect(describe(openSSLText: text) == (key.algorithm, key.specification))

        let algorithm = try SignatureAlgorithm.forKey(configured: nil, requestSignatureAlgorithm: nil, key: key)
        let request = try CertificationRequest.make(
            subject: DistinguishedName(parsing: "CN=ski"), key: key, algorithm: algorithm)
        let certificate = try await TestCA.load().issue(request)
        let ski = try await openssl(["x509", "-noout", "-ext", "subjectKeyIdentifier"], input: certificate.pem)
        #expect(key.subjectKeyIdentifier == lowerHexDigits(ski.split(separator: "\n")[1]))
        #expect(key.subjectKeyIdentifier == certificate.subjectKeyIdentifier)
        #expect(certificate.hasSamePublicKey(as: key.publicKeyInfoDER))
        #expect(certificate.subjectPublicKeyInfoDER == key.publicKeyInfoDER)
    }

    @Test func rsaKeysUseExponent65537() async throws {
        let key = try await TestKeys.load().key("RSA", "2048")
        let text = try await openssl(["pkey", "-pubin", "-text", "-noout"], input: publicKeyPEM(key))
        #expect(text.contains("Exponent: 65537 (0x10001)"))
    }

    @Test func generationRunsOnTheThreadPoolNeverOnTheCooperativePool() async throws {
        #expect(!Self.threadName().hasPrefix(Self.poolPrefix), "the test itself runs on the cooperative pool")
        let name = try await BlockingWork.run { Self.threadName() }
        #expect(name.hasPrefix(Self.poolPrefix), "\(name)")
        let keys = try await Array(0..<8).asyncMap { _ in try await KeyGenerator.generate(.init(algorithm: .ed25519)) }
        #expect(Set(keys.map(\.subjectKeyIdentifier)).count == 8)
        await #expect(throws: SignPeerError(.internalError, "boom")) {
            try await BlockingWork.run { throw SignPeerError.internalError("boom") }
        }
    }

    /// NIO names the threads of its shared `NIOThreadPool` `SGLTN-TP-#<n>`.
    static let poolPrefix = "SGLTN-TP-#"

    /// The calling thread's name, as Linux reports it.
    static func threadName() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Reads `openssl pkey -text` the way key listings spell algorithms.
    private func describe(openSSLText text: String) -> (String, String?) {
        if text.hasPrefix("ED25519 Public-Key") { return ("Ed25519", nil) }
        if text.hasPrefix("ED448 Public-Key") { return ("Ed448", nil) }
        if let oid = text.split(separator: "\n").first(where: { $0.hasPrefix("ASN1 OID: ") }) {
            let curve = String(oid.dropFirst("ASN1 OID: ".count))
            return ("EC", curve == "prime256v1" ? "secp256r1" : curve)
        }
        if text.contains("Modulus:"), let bits = text.firstMatch(of: /Public-Key: \((\d+) bit\)/) {
            return ("RSA", String(bits.1))
        }
        return ("unknown", text)
    }
}

/// The key's SubjectPublicKeyInfo as a `PUBLIC KEY` PEM block.
func publicKeyPEM(_ key: PrivateKey) -> String {
    let body = Data(key.publicKeyInfoDER).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
    return "-----BEGIN PUBLIC KEY-----\n\(body)\n-----END PUBLIC KEY-----\n"
}

/// The hex digits of `text` in lower case, without the colons and spaces `openssl` prints.
func lowerHexDigits(_ text: some StringProtocol) -> String {
    String(text.filter(\.isHexDigit)).lowercased()
}
