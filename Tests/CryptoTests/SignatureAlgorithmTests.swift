import SignPeerCore
import SignPeerCrypto
import Testing

@Suite struct SignatureAlgorithmTests {
    @Test func parsesNamesIgnoringCase() {
        #expect(SignatureAlgorithm(name: "sha256withrsa") == .sha256WithRSA)
        #expect(SignatureAlgorithm(name: "SHA384WITHRSAANDMGF1") == .sha384WithRSAandMGF1)
        #expect(SignatureAlgorithm(name: "sha512WithECDSA") == .sha512WithECDSA)
        #expect(SignatureAlgorithm(name: "ED25519") == .ed25519)
        #expect(SignatureAlgorithm(name: "ed448") == .ed448)
        #expect(SignatureAlgorithm(name: "SHA1withRSA") == nil)
        #expect(SignatureAlgorithm.allCases.allSatisfy { SignatureAlgorithm(name: $0.description) == $0 })
    }

    @Test func defaultsByKeyType() async throws {
        let keys = try await TestKeys.load()
        let expected: [(String, String?, SignatureAlgorithm)] = [
            ("RSA", "2048", .sha256WithRSA), ("EC", "secp384r1", .sha256WithECDSA),
            ("Ed25519", nil, .ed25519), ("Ed448", nil, .ed448),
        ]
        for (algorithm, specification, signatureAlgorithm) in expected {
            let key = try keys.key(algorithm, specification)
            #expect(try SignatureAlgorithm.forKey(configured: nil, requestSignatureAlgorithm: nil, key: key) == signatureAlgorithm)
            #expect(try SignatureAlgorithm.forKey(configured: " ", requestSignatureAlgorithm: "", key: key) == signatureAlgorithm)
            #expect(
                try SignatureAlgorithm.forKey(configured: "NONEwithRSA", requestSignatureAlgorithm: "nonewithECDSA", key: key)
                    == signatureAlgorithm)
        }
    }

    @Test func requestSignatureAlgorithmTakesPrecedence() async throws {
        let rsa = try await TestKeys.load().key("RSA", "2048")
        #expect(
            try SignatureAlgorithm.forKey(
                configured: "SHA256withRSA", requestSignatureAlgorithm: "sha512withrsaandmgf1", key: rsa)
                == .sha512WithRSAandMGF1)
        #expect(
            try SignatureAlgorithm.forKey(configured: "SHA384withRSA", requestSignatureAlgorithm: "  ", key: rsa)
                == .sha384WithRSA)
        #expect(
            try SignatureAlgorithm.forKey(configured: "SHA384withRSA", requestSignatureAlgorithm: "NONEwithRSA", key: rsa)
                == .sha384WithRSA)
    }

    @Test func rejectsUnknownAndUnfitAlgorithms() async throws {
        let keys = try await TestKeys.load()
        let rsa = try keys.key("RSA", "2048")
        let names =
            "SHA256withRSA, SHA384withRSA, SHA512withRSA, SHA256withRSAandMGF1, SHA384withRSAandMGF1, SHA512withRSAandMGF1, SHA256withECDSA, SHA384withECDSA, SHA512withECDSA, Ed25519, Ed448"
        let cases: [(String?, String?, PrivateKey, String)] = [
            ("SHA256withECDSA", nil, rsa, "SIGNATUREALGORITHM 'SHA256withECDSA' does not fit an RSA key"),
            (nil, "Ed25519", rsa, "REQUESTSIGNATUREALGORITHM 'Ed25519' does not fit an RSA key"),
            ("sha256withrsa", nil, try keys.key("EC", "secp256r1"), "SIGNATUREALGORITHM 'sha256withrsa' does not fit an EC key"),
            ("Ed448", nil, try keys.key("Ed25519", nil), "SIGNATUREALGORITHM 'Ed448' does not fit an Ed25519 key"),
            (nil, "SHA256withECDSA", try keys.key("Ed448", nil), "REQUESTSIGNATUREALGORITHM 'SHA256withECDSA' does not fit an Ed448 key"),
            (
                "SHA512withRSAandMGF1", nil, try keys.key("RSA", "1024"),
                "SIGNATUREALGORITHM 'SHA512withRSAandMGF1' does not fit an RSA key of 1024 bits (too short for RSASSA-PSS with this hash)"
            ),
            ("SHA1withRSA", nil, rsa, "SIGNATUREALGORITHM 'SHA1withRSA' is not a supported signature algorithm (\(names))"),
            ("SHA256withRSA", " foo ", rsa, "REQUESTSIGNATUREALGORITHM 'foo' is not a supported signature algorithm (\(names))"),
        ]
        for (configured, request, key, message) in cases {
            #expect(throws: SignPeerError(.invalidProperty, message)) {
                try SignatureAlgorithm.forKey(configured: configured, requestSignatureAlgorithm: request, key: key)
            }
        }
    }
}
