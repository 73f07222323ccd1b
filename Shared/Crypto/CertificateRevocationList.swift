import COpenSSL
import Foundation
import SignPeerCore

/// An X.509 CRL (RFC 5280 §5), parsed once into Swift values: who issued it, when it was made
/// and is due again, and the serial numbers it revokes. The DER is kept so the signature can be
/// checked against a candidate issuer.
public struct CertificateRevocationList: Sendable, Hashable {
    public let der: [UInt8]
    public let issuer: DistinguishedName
    public let thisUpdate: Date
    public let nextUpdate: Date?
    /// Revoked serial numbers, normalized as ``Certificate/serialNumber`` is.
    public let revokedSerialNumbers: Set<String>

    /// Parses one DER-encoded CRL; trailing bytes are an error.
    public init(derEncoded der: [UInt8]) throws {
        guard !der.isEmpty else { throw Self.invalid("CRL is empty") }
        let (decoded, consumed) = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            let crl = d2i_X509_CRL(nil, &cursor, buffer.count)
            return (crl, cursor.map { $0 - buffer.baseAddress! } ?? 0)
        }
        guard let crl = decoded else { throw Self.invalid("not a DER-encoded X.509 CRL", drainingOpenSSLErrors: true) }
        defer { X509_CRL_free(crl) }
        guard consumed == der.count else { throw Self.invalid("\(der.count - consumed) unexpected bytes after the CRL") }
        guard let issuerName = X509_CRL_get_issuer(crl) else { throw Self.invalid("CRL has no issuer") }
        self.der = der
        issuer = try X509Fields.distinguishedName(issuerName, of: "CRL issuer")
        thisUpdate = try X509Fields.date(X509_CRL_get0_lastUpdate(crl), of: "thisUpdate")
        nextUpdate = try X509_CRL_get0_nextUpdate(crl).map { try X509Fields.date($0, of: "nextUpdate") }
        var serials = Set<String>()
        if let revoked = X509_CRL_get_REVOKED(crl) {
            for index in 0..<OPENSSL_sk_num(revoked) {
                guard let entry = OPENSSL_sk_value(revoked, index),
                    let serial = X509_REVOKED_get0_serialNumber(OpaquePointer(entry))
                else { throw Self.invalid("CRL entry \(index) is unreadable") }
                let bytes = UnsafeBufferPointer(start: serial.pointee.data, count: Int(serial.pointee.length))
                serials.insert(SerialNumber.fromBigEndianBytes(Array(bytes)))
            }
        }
        revokedSerialNumbers = serials
    }

    /// Every CRL in a file: one DER CRL, or any number of PEM `X509 CRL` blocks.
    public static func parseFile(_ bytes: [UInt8]) throws -> [CertificateRevocationList] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("-----BEGIN X509 CRL-----") else { return [try CertificateRevocationList(derEncoded: bytes)] }
        var crls: [CertificateRevocationList] = []
        var rest = text[...]
        let begin = "-----BEGIN X509 CRL-----", end = "-----END X509 CRL-----"
        while let header = rest.range(of: begin) {
            guard let footer = rest[header.upperBound...].range(of: end) else {
                throw invalid("PEM CRL \(crls.count + 1) has no END X509 CRL line")
            }
            let base64 = rest[header.upperBound..<footer.lowerBound].utf8.filter { !PEM.isWhitespace($0) }
            guard let der = Data(base64Encoded: Data(base64)) else {
                throw invalid("PEM CRL \(crls.count + 1) is not valid base64")
            }
            crls.append(try CertificateRevocationList(derEncoded: [UInt8](der)))
            rest = rest[footer.upperBound...]
        }
        return crls
    }

    /// Whether `issuer` signed this CRL: its subject is the CRL's issuer and the signature
    /// verifies with its public key.
    public func isSigned(by issuer: Certificate) -> Bool {
        guard self.issuer.matchKey == issuer.subject.matchKey else { return false }
        defer { ERR_clear_error() }
        let crl: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_X509_CRL(nil, &cursor, buffer.count)
        }
        guard let crl else { return false }
        defer { X509_CRL_free(crl) }
        guard let issuerX509 = try? decodeX509(issuer.der) else { return false }
        defer { X509_free(issuerX509) }
        guard let key = X509_get0_pubkey(issuerX509) else { return false }
        return X509_CRL_verify(crl, key) == 1
    }

    /// Whether `date` is after nextUpdate (a CRL without one is never stale).
    public func isStale(at date: Date) -> Bool {
        nextUpdate.map { $0 < date } ?? false
    }

    private static func invalid(_ message: String, drainingOpenSSLErrors: Bool = false) -> SignPeerError {
        let reason = drainingOpenSSLErrors ? OpenSSLErrorQueue.drain() : nil
        return SignPeerError.invalidCertificate(reason.map { "\(message) (\($0))" } ?? message)
    }
}
