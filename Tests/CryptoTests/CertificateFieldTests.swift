import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerTestSupport
import Testing

/// Every parsed field is compared with what the `openssl` CLI reports for the same certificate.
@Suite struct CertificateFieldTests {
    @Test(arguments: TestCertificates.names)
    func fieldsMatchOpenSSL(_ name: String) throws {
        let pem = try #require(try TestCertificates.load().pem[name])
        let certificate = try Certificate(pemEncoded: pem)
        let report = try opensslFields(pem, [
            "-serial", "-subject", "-issuer", "-nameopt", "RFC2253,-esc_msb", "-startdate", "-enddate",
            "-dateopt", "iso_8601",
        ])

        #expect(certificate.serialNumber == (try SerialNumber.normalize(#require(report["serial"]))))
        #expect(certificate.subject == (try DistinguishedName(parsing: #require(report["subject"]))))
        #expect(certificate.issuer == (try DistinguishedName(parsing: #require(report["issuer"]))))
        #expect(certificate.notBefore == (try isoDate(#require(report["notBefore"]))))
        #expect(certificate.notAfter == (try isoDate(#require(report["notAfter"]))))

        let sha1 = try opensslFields(pem, ["-fingerprint", "-sha1"]).values.first
        let sha256 = try opensslFields(pem, ["-fingerprint", "-sha256"]).values.first
        #expect(certificate.sha1Fingerprint == sha1.map(plainHex))
        #expect(certificate.sha256Fingerprint == sha256.map(plainHex))

        let ski = try openssl(["x509", "-noout", "-ext", "subjectKeyIdentifier"], input: pem)
        #expect(certificate.subjectKeyIdentifier == plainHex(ski.split(separator: "\n")[1]))

        let publicKey = try openssl(["x509", "-noout", "-pubkey"], input: pem)
        #expect(certificate.subjectPublicKeyInfoDER == Array(try #require(Data(base64Encoded: base64Body(ofPEM: publicKey)))))

        #expect(certificate.pem == (try openssl(["x509"], input: pem)))
        #expect(certificate.der == Array(try #require(Data(base64Encoded: base64Body(ofPEM: pem)))))
    }

    @Test(arguments: [
        ("root", "RSA", "2048", true), ("ecLeaf", "EC", "secp256r1", false), ("ed25519Leaf", "Ed25519", nil, false),
        ("multiValued", "Ed448", nil, false), ("intermediate", "EC", "secp384r1", true), ("otherRoot", "EC", "secp256r1", true),
    ])
    func publicKeyAndBasicConstraints(_ name: String, _ algorithm: String, _ specification: String?, _ isCA: Bool) throws {
        let certificate = try certificate(name)
        #expect(certificate.publicKeyAlgorithm == algorithm)
        #expect(certificate.publicKeySpecification == specification)
        #expect(certificate.isCA == isCA)
    }

    @Test func namesAreNormalizedInRFC4514Order() throws {
        #expect(try certificate("root").subject.normalized == "CN=Demo Root CA, O=Demo, C=SE")
        #expect(try certificate("ecLeaf").issuer.normalized == "CN=Demo Root CA, O=Demo, C=SE")
        #expect(
            try certificate("multiValued").subject.normalized
                == #"CN=Åsa Öberg, SERIALNUMBER=12345, E=peer@example.com, CN=Multi Valued+UID=user1, O=Demo\, Inc., C=SE"#)
        let typedRule = try DistinguishedName(parsing: "c=se, o=DEMO, cn=demo root ca")
        #expect(typedRule.matchKey == (try certificate("ecLeaf").issuer.matchKey))
    }

    @Test func serialWithHighBitHasNoLeadingZero() throws {
        #expect(try certificate("ecLeaf").serialNumber == "8000000000000001")
        #expect(try certificate("chainLeaf").serialNumber == "a")
    }

    @Test func validityPeriod() throws {
        let leaf = try certificate("ecLeaf")
        #expect(leaf.isValid(at: Date()))
        #expect(leaf.isValid(at: leaf.notBefore))
        #expect(leaf.isValid(at: leaf.notAfter))
        #expect(!leaf.isValid(at: leaf.notBefore.addingTimeInterval(-1)))
        #expect(!leaf.isValid(at: leaf.notAfter.addingTimeInterval(1)))
        #expect(leaf.notAfter.timeIntervalSince(leaf.notBefore) == 30 * 86_400)
    }

    @Test func samePublicKey() throws {
        let leaf = try certificate("ecLeaf")
        let keyFromOpenSSL = Array(try #require(Data(base64Encoded: TestCertificates.load().ecLeafPublicKeyBase64)))
        #expect(leaf.hasSamePublicKey(as: keyFromOpenSSL))
        #expect(leaf.hasSamePublicKey(as: leaf.subjectPublicKeyInfoDER))
        #expect(!leaf.hasSamePublicKey(as: try certificate("otherRoot").subjectPublicKeyInfoDER))
        #expect(!leaf.hasSamePublicKey(as: try certificate("root").subjectPublicKeyInfoDER))
        #expect(!leaf.hasSamePublicKey(as: []))
        #expect(!leaf.hasSamePublicKey(as: [0x30, 0x03, 0x02, 0x01, 0x00]))
    }

    /// `openssl x509 -noout` output as `key=value` pairs.
    private func opensslFields(_ pem: String, _ options: [String]) throws -> [String: String] {
        let output = try openssl(["x509", "-noout"] + options, input: pem)
        var fields: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return fields
    }

    private func isoDate(_ text: String) throws -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss'Z'"
        return try #require(formatter.date(from: text))
    }

    private func plainHex(_ text: some StringProtocol) -> String {
        String(text.filter(\.isHexDigit)).lowercased()
    }
}

func certificate(_ name: String) throws -> Certificate {
    try Certificate(pemEncoded: #require(try TestCertificates.load().pem[name]))
}
