import Foundation
import SignPeerCore

extension Certificate {
    /// Parses a PEM text holding exactly one certificate.
    ///
    /// - Throws: ``SignPeerError`` with code `.invalidCertificate`.
    public init(pemEncoded pem: String) throws {
        let ders = try PEM.decodeCertificates(pem)
        guard ders.count == 1 else {
            throw invalidCertificate(
                ders.isEmpty ? "no PEM certificate found" : "expected one certificate, found \(ders.count)")
        }
        try self.init(derEncoded: ders[0])
    }

    /// Parses a PEM chain: one or more concatenated certificates, kept in the given order.
    ///
    /// - Throws: ``SignPeerError`` with code `.invalidCertificate` for zero certificates, a block
    ///   that is not a certificate, or text after the last one.
    public static func parseChain(pem: String) throws -> [Certificate] {
        let ders = try PEM.decodeCertificates(pem)
        guard !ders.isEmpty else { throw invalidCertificate("no PEM certificate found") }
        return try decodeEach(ders)
    }

    /// Parses a certificate value in any form SignPeer accepts (SPEC §3): a PEM chain, a single
    /// DER certificate, or SignServer's base64 DER with the items of a chain joined by `;`.
    ///
    /// - Throws: ``SignPeerError`` with code `.invalidCertificate`.
    public static func parse(_ bytes: [UInt8]) throws -> [Certificate] {
        guard !bytes.isEmpty else { throw invalidCertificate("certificate data is empty") }
        if bytes[0] == 0x30 {  // a DER SEQUENCE; neither PEM nor base64 text starts with '0'
            return [try Certificate(derEncoded: bytes)]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.contains("-----BEGIN ") {
            return try parseChain(pem: text)
        }
        let items = bytes.split(separator: UInt8(ascii: ";")).map { $0.filter { !PEM.isWhitespace($0) } }
            .filter { !$0.isEmpty }
        guard !items.isEmpty else { throw invalidCertificate("certificate data is empty") }
        let ders = try items.enumerated().map { offset, item in
            guard let der = Data(base64Encoded: Data(item)), !der.isEmpty else {
                throw invalidCertificate("certificate \(offset + 1) is neither PEM nor base64 DER")
            }
            return [UInt8](der)
        }
        return try decodeEach(ders)
    }

    /// Decodes each DER, naming the failing position when there are several.
    private static func decodeEach(_ ders: [[UInt8]]) throws -> [Certificate] {
        try ders.enumerated().map { offset, der in
            do {
                return try Certificate(derEncoded: der)
            } catch let error as SignPeerError where ders.count > 1 {
                throw error.withMessage("certificate \(offset + 1): \(error.message)")
            }
        }
    }
}
