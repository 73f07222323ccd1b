import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerTestSupport
import Testing

@Suite struct CertificationRequestTests {
    /// Every test key with every signature algorithm that fits it.
    static let combinations: [(keyIndex: Int, algorithm: SignatureAlgorithm)] = TestKeys.specs.indices.flatMap { index in
        let spec = TestKeys.specs[index]
        return SignatureAlgorithm.allCases.filter { algorithm in
            algorithm.keyAlgorithm == spec.algorithm
                && !(spec.specification == "1024" && algorithm == .sha512WithRSAandMGF1)
        }.map { (index, $0) }
    }

    /// What `openssl req -text` prints for each algorithm.
    static let openSSLSignatureLines: [SignatureAlgorithm: [String]] = [
        .sha256WithRSA: ["Signature Algorithm: sha256WithRSAEncryption"],
        .sha384WithRSA: ["Signature Algorithm: sha384WithRSAEncryption"],
        .sha512WithRSA: ["Signature Algorithm: sha512WithRSAEncryption"],
        .sha256WithRSAandMGF1: [
            "Signature Algorithm: rsassaPss", "Hash Algorithm: sha256", "Mask Algorithm: mgf1 with sha256",
            "Salt Length: 0x20",
        ],
        .sha384WithRSAandMGF1: [
            "Signature Algorithm: rsassaPss", "Hash Algorithm: sha384", "Mask Algorithm: mgf1 with sha384",
            "Salt Length: 0x30",
        ],
        .sha512WithRSAandMGF1: [
            "Signature Algorithm: rsassaPss", "Hash Algorithm: sha512", "Mask Algorithm: mgf1 with sha512",
            "Salt Length: 0x40",
        ],
        .sha256WithECDSA: ["Signature Algorithm: ecdsa-with-SHA256"],
        .sha384WithECDSA: ["Signature Algorithm: ecdsa-with-SHA384"],
        .sha512WithECDSA: ["Signature Algorithm: ecdsa-with-SHA512"],
        .ed25519: ["Signature Algorithm: ED25519"],
        .ed448: ["Signature Algorithm: ED448"],
    ]

    @Test(arguments: combinations)
    func verifiesWithOpenSSL(_ keyIndex: Int, _ algorithm: SignatureAlgorithm) async throws {
        let key = try await TestKeys.load().keys[keyIndex]
        let subject = try DistinguishedName(parsing: "CN=signKey00002, O=Demo, C=SE")
        let request = try CertificationRequest.make(subject: subject, key: key, algorithm: algorithm)
        #expect(request.pem.hasPrefix("-----BEGIN CERTIFICATE REQUEST-----\n"))
        #expect(request.pem.hasSuffix("\n-----END CERTIFICATE REQUEST-----\n"))

        let verify = try await ProcessRunner.run("openssl", ["req", "-verify", "-noout"], input: Data(request.pem.utf8))
        #expect(verify.status == 0)
        #expect((verify.stdout + verify.stderr).contains("verify OK"))

        let text = try await openssl(["req", "-noout", "-text"], input: request.pem)
        let lines = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        for line in try #require(Self.openSSLSignatureLines[algorithm]) {
            #expect(lines.contains(line), "\(line) missing in:\n\(text)")
        }
        #expect(lines.contains("Version: 1 (0x0)"))
        #expect(lines.contains("Subject: C = SE, O = Demo, CN = signKey00002"))
    }

    @Test func subjectKeepsOrderMultiValuedRDNsAndEscapes() async throws {
        let key = try await TestKeys.load().key("EC", "secp256r1")
        let subject = try DistinguishedName(
            parsing:
                #"CN=a\, b+UID=u1, E=peer@example.com, SERIALNUMBER=123, 1.2.3.4.5=custom, OU=Peers, O=Demo\+Co, L=Göteborg, ST=VG, C=SE"#
        )
        let request = try CertificationRequest.make(subject: subject, key: key, algorithm: .sha256WithECDSA)
        let printed = try await openssl(
            ["req", "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb,-dump_unknown"], input: request.pem)
        let rfc2253 = try #require(printed.split(separator: "\n").first?.dropFirst("subject=".count))
        #expect(try DistinguishedName(parsing: String(rfc2253)) == subject)
        #expect(rfc2253.hasPrefix(#"CN=a\, b+UID=u1,"#) || rfc2253.hasPrefix(#"UID=u1+CN=a\, b,"#))
        #expect(rfc2253.contains(#"O=Demo\+Co"#))
        #expect(rfc2253.hasSuffix(",C=SE"))

        // String types as OpenSSL's table prescribes them.
        let parsed = try await openssl(["asn1parse", "-i"], input: request.pem)
        #expect(parsed.contains("PRINTABLESTRING   :SE"))
        #expect(parsed.contains("IA5STRING         :peer@example.com"))
        #expect(parsed.contains("UTF8STRING        :a, b"))
        #expect(parsed.contains("UTF8STRING        :custom"))
    }

    @Test(arguments: [
        ("CN=x, C=SWE", "REQUESTDN 'CN=x, C=SWE' cannot be encoded: C value 'SWE' is not allowed (string too long)"),
        ("CN=x, C=S", "REQUESTDN 'CN=x, C=S' cannot be encoded: C value 'S' is not allowed (string too short)"),
        (
            "E=pé@example.com",
            "REQUESTDN 'E=pé@example.com' cannot be encoded: E value 'pé@example.com' is not allowed (illegal characters)"
        ),
    ])
    func rejectsSubjectsThatCannotBeEncoded(_ dn: String, _ message: String) async throws {
        let key = try await TestKeys.load().key("Ed25519", nil)
        #expect(throws: SignPeerError(.invalidDN, message)) {
            try CertificationRequest.make(subject: DistinguishedName(parsing: dn), key: key, algorithm: .ed25519)
        }
    }

    @Test func rejectsAnAlgorithmThatDoesNotFitTheKey() async throws {
        let key = try await TestKeys.load().key("RSA", "2048")
        #expect(throws: SignPeerError(.invalidProperty, "signature algorithm 'Ed25519' does not fit an RSA key")) {
            try CertificationRequest.make(subject: DistinguishedName(parsing: "CN=x"), key: key, algorithm: .ed25519)
        }
    }
}
