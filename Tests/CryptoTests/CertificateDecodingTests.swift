import Foundation
import SignPeerCore
import SignPeerCrypto
import Testing

@Suite struct CertificateDecodingTests {
    @Test func derPEMAndBase64FormsGiveTheSameCertificates() throws {
        let leaf = try certificate("ecLeaf")
        let root = try certificate("root")
        #expect(try Certificate(derEncoded: leaf.der) == leaf)
        #expect(try Certificate.parse(leaf.der) == [leaf])
        #expect(try Certificate.parse(Array(leaf.pem.utf8)) == [leaf])
        #expect(try Certificate.parse(Array((leaf.pem + root.pem).utf8)) == [leaf, root])
        let base64 = [leaf, root].map { Data($0.der).base64EncodedString() }
        #expect(try Certificate.parse(Array(base64.joined(separator: ";").utf8)) == [leaf, root])
        #expect(try Certificate.parse(Array((" " + base64.joined(separator: " ;\n") + ";\n").utf8)) == [leaf, root])
        #expect(try Certificate.parse(Array(base64[0].utf8)) == [leaf])
    }

    @Test func chainKeepsOrderAndAllowsExplanatoryText() throws {
        let chain = try ["chainLeaf", "intermediate", "root"].map(certificate)
        let pem = chain.map { "subject=\($0.subject.normalized)\n\($0.pem)" }.joined(separator: "\n")
        #expect(try Certificate.parseChain(pem: pem) == chain)
        #expect(try Certificate.parseChain(pem: pem.replacingOccurrences(of: "\n", with: "\r\n")) == chain)
    }

    @Test func pemEncodedRequiresExactlyOneCertificate() throws {
        let leaf = try certificate("ecLeaf")
        #expect(try Certificate(pemEncoded: "\n" + leaf.pem + "\n\n") == leaf)
        expectInvalid("expected one certificate, found 2") { try Certificate(pemEncoded: leaf.pem + leaf.pem) }
        expectInvalid("no PEM certificate found") { try Certificate(pemEncoded: "") }
    }

    @Test func rejectsBrokenPEM() throws {
        let pem = try certificate("ecLeaf").pem
        expectInvalid("unexpected text after the last PEM certificate") { try Certificate.parseChain(pem: pem + "trailing") }
        expectInvalid("no PEM certificate found") { try Certificate.parseChain(pem: "hello") }
        expectInvalid("no PEM certificate found") { try Certificate.parseChain(pem: " \n") }
        expectInvalid("has no END CERTIFICATE line") { try Certificate.parseChain(pem: pem + "-----BEGIN CERTIFICATE-----\nMIIB") }
        expectInvalid("is 'PRIVATE KEY', not a CERTIFICATE") {
            try Certificate.parseChain(pem: pem + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        }
        expectInvalid("PEM certificate 1 is not valid base64") {
            try Certificate.parseChain(pem: "-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n")
        }
        expectInvalid("certificate 2: not a DER-encoded X.509 certificate") {
            try Certificate.parseChain(pem: pem + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        }
    }

    @Test func rejectsGarbageTruncatedAndEmptyInput() throws {
        let der = try certificate("root").der
        expectInvalid("certificate is empty") { try Certificate(derEncoded: []) }
        expectInvalid("certificate data is empty") { try Certificate.parse([]) }
        expectInvalid("certificate data is empty") { try Certificate.parse(Array(" ; \n".utf8)) }
        expectInvalid("not a DER-encoded X.509 certificate") { try Certificate(derEncoded: Array(der.prefix(der.count / 2))) }
        expectInvalid("not a DER-encoded X.509 certificate") { try Certificate(derEncoded: Array(der.dropLast())) }
        expectInvalid("1 unexpected bytes after the certificate") { try Certificate(derEncoded: der + [0]) }
        expectInvalid("not a DER-encoded X.509 certificate") { try Certificate.parse([0x30, 0x82, 0xFF, 0xFF, 0x01]) }
        expectInvalid("certificate 1 is neither PEM nor base64 DER") { try Certificate.parse([0xFF, 0xFE, 0x00]) }
        expectInvalid("certificate 1 is neither PEM nor base64 DER") { try Certificate.parse(Array("not base64!".utf8)) }
        expectInvalid("not a DER-encoded X.509 certificate") { try Certificate.parse(Array("AAAA".utf8)) }
        let base64 = Data(der).base64EncodedString()
        expectInvalid("certificate 2 is neither PEM nor base64 DER") { try Certificate.parse(Array("\(base64);%%".utf8)) }
    }

    @Test func hugeInputIsRejectedQuickly() throws {
        let megabytes = [UInt8](repeating: UInt8(ascii: "A"), count: 4 << 20)
        expectInvalid("not a DER-encoded X.509 certificate") { try Certificate.parse(megabytes) }
        expectInvalid("not a DER-encoded X.509 certificate") { try Certificate(derEncoded: [0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF] + megabytes) }
    }

    /// Random corruptions of a valid certificate either still parse or fail with
    /// `.invalidCertificate`; none may crash.
    @Test func corruptedDERNeverCrashes() throws {
        let der = try certificate("multiValued").der
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var bytes = der
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator))) }
            do {
                _ = try Certificate.parse(bytes)
            } catch let error as SignPeerError {
                #expect(error.code == .invalidCertificate)
            }
        }
    }
}

func expectInvalid(
    _ problem: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> some Any
) {
    #expect(sourceLocation: sourceLocation) {
        _ = try body()
    } throws: { error in
        guard let error = error as? SignPeerError else { return false }
        return error.code == .invalidCertificate && error.message.contains(problem)
    }
}
