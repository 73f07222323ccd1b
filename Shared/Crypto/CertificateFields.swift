import COpenSSL
import CSignPeerShims
import Foundation
import SignPeerCore

/// Reads the fields of a decoded `X509` into Swift values for ``Certificate``. Every function
/// borrows the OpenSSL objects it is given and frees whatever it allocates itself.
enum X509Fields {
    /// Builds the DN from the name's entries (not from OpenSSL's printed string), keeping
    /// multi-valued RDNs, then reverses X.500 order into RFC 4514 order.
    static func distinguishedName(_ name: OpaquePointer, of field: String) throws -> DistinguishedName {
        var rdns: [RelativeDistinguishedName] = []
        var attributes: [RelativeDistinguishedName.Attribute] = []
        var currentSet: Int32 = -1
        for position in 0..<X509_NAME_entry_count(name) {
            guard let entry = X509_NAME_get_entry(name, position),
                let object = X509_NAME_ENTRY_get_object(entry),
                let data = X509_NAME_ENTRY_get_data(entry)
            else {
                throw invalidCertificate("\(field) name entry \(position) is unreadable", drainingOpenSSLErrors: true)
            }
            let set = X509_NAME_ENTRY_set(entry)
            if set != currentSet, !attributes.isEmpty {
                rdns.append(RelativeDistinguishedName(attributes))
                attributes = []
            }
            currentSet = set
            let type = try objectIdentifier(object, of: field)
            var utf8: UnsafeMutablePointer<UInt8>?
            let length = ASN1_STRING_to_UTF8(&utf8, data)
            guard length >= 0, let utf8 else {
                throw invalidCertificate("\(field) attribute \(type) is not a valid string", drainingOpenSSLErrors: true)
            }
            defer { signpeer_OPENSSL_free(utf8) }
            let bytes = UnsafeBufferPointer(start: utf8, count: Int(length))
            attributes.append(.init(type: type, value: String(decoding: bytes, as: UTF8.self)))
        }
        if !attributes.isEmpty { rdns.append(RelativeDistinguishedName(attributes)) }
        return DistinguishedName(rdns: rdns.reversed())
    }

    /// The dotted OID of an attribute type; ``RelativeDistinguishedName/Attribute`` maps it to its
    /// canonical name.
    private static func objectIdentifier(_ object: OpaquePointer, of field: String) throws -> String {
        let needed = OBJ_obj2txt(nil, 0, object, 1)
        var buffer = [CChar](repeating: 0, count: Int(max(needed, 0)) + 1)
        let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
        guard needed > 0, length == needed else {
            throw invalidCertificate("\(field) has an unreadable attribute type", drainingOpenSSLErrors: true)
        }
        return String(decoding: buffer[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func serialNumberText(_ x509: OpaquePointer) throws -> String {
        guard let serial = X509_get0_serialNumber(x509) else {
            throw invalidCertificate("certificate has no serial number")
        }
        guard serial.pointee.type != V_ASN1_NEG_INTEGER else {
            throw invalidCertificate("certificate has a negative serial number")
        }
        let bytes = UnsafeBufferPointer(start: serial.pointee.data, count: Int(serial.pointee.length))
        return SerialNumber.fromBigEndianBytes(Array(bytes))
    }

    static func date(_ time: UnsafePointer<ASN1_TIME>?, of field: String) throws -> Date {
        var components = tm()
        guard let time, ASN1_TIME_to_tm(time, &components) == 1 else {
            throw invalidCertificate("certificate has an invalid \(field) time", drainingOpenSSLErrors: true)
        }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&components)))
    }

    static func encodePublicKey(_ key: OpaquePointer) throws -> [UInt8] {
        guard let der = DER.encode(key, with: i2d_PUBKEY) else {
            throw invalidCertificate("public key cannot be encoded", drainingOpenSSLErrors: true)
        }
        return der
    }

    /// Decodes a DER SubjectPublicKeyInfo; the caller frees the key. `nil` if it is not one.
    static func decodePublicKey(_ der: [UInt8]) -> OpaquePointer? {
        der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return buffer.isEmpty ? nil : d2i_PUBKEY(nil, &cursor, buffer.count)
        }
    }

    /// RFC 5280 method 1: SHA-1 over the subjectPublicKey BIT STRING contents.
    static func keyIdentifier(_ x509: OpaquePointer) throws -> String {
        guard let bits = X509_get0_pubkey_bitstr(x509), let data = bits.pointee.data else {
            throw invalidCertificate("certificate has no public key bits")
        }
        return Digest.sha1.hex(of: Array(UnsafeBufferPointer(start: data, count: Int(bits.pointee.length))))
    }

    /// The algorithm name and size or curve, as the KEYALG/KEYSPEC properties spell them.
    static func describe(_ key: OpaquePointer) -> (algorithm: String, specification: String?) {
        let id = EVP_PKEY_get_base_id(key)
        switch id {
        case EVP_PKEY_RSA, EVP_PKEY_RSA_PSS:
            return ("RSA", String(EVP_PKEY_get_bits(key)))
        case EVP_PKEY_EC:
            var buffer = [CChar](repeating: 0, count: 80)
            var length = 0
            guard EVP_PKEY_get_utf8_string_param(key, "group", &buffer, buffer.count, &length) == 1 else {
                ERR_clear_error()
                return ("EC", nil)
            }
            let curve = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return ("EC", curve == "prime256v1" ? "secp256r1" : curve)
        case EVP_PKEY_ED25519:
            return ("Ed25519", nil)
        case EVP_PKEY_ED448:
            return ("Ed448", nil)
        default:
            return (OBJ_nid2sn(id).map { String(cString: $0) } ?? "NID \(id)", nil)
        }
    }
}
