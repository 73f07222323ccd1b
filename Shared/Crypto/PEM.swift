import Foundation
import SignPeerCore

/// RFC 7468 text encoding of certificates and certification requests.
enum PEM {
    private static let end = "-----END CERTIFICATE-----"

    /// One PEM block with `label` (`CERTIFICATE`, `CERTIFICATE REQUEST`): 64-character lines,
    /// `\n` line ends.
    static func encode(_ der: [UInt8], label: String = "CERTIFICATE") -> String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(body)\n-----END \(label)-----\n"
    }

    /// ASCII whitespace, the only kind allowed in and around base64 (checked on bytes: per-byte
    /// tests keep megabytes of input fast, unlike `Character.isWhitespace`).
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// The DER of every CERTIFICATE block, in order.
    ///
    /// Explanatory text before a block (such as the `subject=` lines `openssl` prints) is allowed,
    /// as RFC 7468 permits; other block types, broken blocks and any text after the last block are
    /// errors.
    static func decodeCertificates(_ text: String) throws -> [[UInt8]] {
        var ders: [[UInt8]] = []
        var rest = text[...]
        while let header = rest.range(of: "-----BEGIN ") {
            let number = ders.count + 1
            guard let headerEnd = rest[header.upperBound...].range(of: "-----") else {
                throw invalidCertificate("PEM block \(number) has a malformed BEGIN line")
            }
            let label = rest[header.upperBound..<headerEnd.lowerBound]
            guard label == "CERTIFICATE" else {
                throw invalidCertificate("PEM block \(number) is '\(label.prefix(40))', not a CERTIFICATE")
            }
            guard let footer = rest[headerEnd.upperBound...].range(of: end) else {
                throw invalidCertificate("PEM certificate \(number) has no END CERTIFICATE line")
            }
            let base64 = rest[headerEnd.upperBound..<footer.lowerBound].utf8.filter { !isWhitespace($0) }
            guard let der = Data(base64Encoded: Data(base64)), !der.isEmpty else {
                throw invalidCertificate("PEM certificate \(number) is not valid base64")
            }
            ders.append([UInt8](der))
            rest = rest[footer.upperBound...]
        }
        guard rest.utf8.allSatisfy(isWhitespace) else {
            throw invalidCertificate(
                ders.isEmpty ? "no PEM certificate found" : "unexpected text after the last PEM certificate")
        }
        return ders
    }
}
