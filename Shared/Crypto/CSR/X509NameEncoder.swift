import COpenSSL
import SignPeerCore

/// Turns a ``DistinguishedName`` into an OpenSSL `X509_NAME` for a request subject.
enum X509NameEncoder {
    /// An `X509_NAME` in X.500 order (the reverse of the DN's RFC 4514 order) that the caller
    /// must `X509_NAME_free`. Each attribute of a multi-valued RDN joins the RDN before it
    /// (`set` = -1). Values are given as UTF-8 and OpenSSL picks the string type its table
    /// prescribes (PrintableString for `C` and `SERIALNUMBER`, IA5String for `E` and `DC`,
    /// UTF8String otherwise), rejecting values that type or the RFC 5280 length bounds forbid.
    ///
    /// - Throws: ``SignPeerError`` `.invalidDN` naming the offending attribute.
    static func encode(_ dn: DistinguishedName) throws -> OpaquePointer {
        guard let name = X509_NAME_new() else { throw openSSLFailure("out of memory") }
        do {
            for rdn in dn.rdns.reversed() {
                for (position, attribute) in rdn.attributes.enumerated() {
                    try add(attribute, to: name, joiningPrevious: position > 0, of: dn)
                }
            }
        } catch {
            X509_NAME_free(name)
            throw error
        }
        return name
    }

    private static func add(
        _ attribute: RelativeDistinguishedName.Attribute, to name: OpaquePointer, joiningPrevious: Bool,
        of dn: DistinguishedName
    ) throws {
        func invalid(_ problem: String) -> SignPeerError {
            SignPeerError.invalidDN("\(PropertyName.requestDN) '\(dn.normalized)' cannot be encoded: \(problem)")
        }
        guard let oid = attribute.objectIdentifier, let object = OBJ_txt2obj(oid, 1) else {
            ERR_clear_error()
            throw invalid("unknown attribute type \(attribute.type)")
        }
        defer { ASN1_OBJECT_free(object) }
        let value = Array(attribute.value.utf8)
        guard
            X509_NAME_add_entry_by_OBJ(
                name, object, MBSTRING_UTF8, value, Int32(clamping: value.count), -1, joiningPrevious ? -1 : 0) == 1
        else {
            let reason = OpenSSLErrorQueue.drain().map { " (\($0))" } ?? ""
            throw invalid("\(attribute.type) value '\(attribute.value)' is not allowed\(reason)")
        }
    }
}
