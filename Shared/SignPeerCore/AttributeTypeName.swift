/// The DN attribute types SignPeer knows by name, so that `emailAddress`, `E` and
/// `1.2.840.113549.1.9.1` all end up as one canonical name (SPEC §4).
///
/// Canonical names follow EJBCA/SignServer, the systems whose DNs SignPeer meets most; note that
/// there `SN` means serialNumber (OpenSSL uses it for surname, which is `SURNAME` here).
enum AttributeTypeName {
    private struct Known {
        let name: String
        let oid: String
        let aliases: [String]
    }

    private static let known: [Known] = [
        Known(name: "CN", oid: "2.5.4.3", aliases: ["COMMONNAME"]),
        Known(name: "SURNAME", oid: "2.5.4.4", aliases: []),
        Known(name: "SERIALNUMBER", oid: "2.5.4.5", aliases: ["SN"]),
        Known(name: "C", oid: "2.5.4.6", aliases: ["COUNTRYNAME"]),
        Known(name: "L", oid: "2.5.4.7", aliases: ["LOCALITYNAME"]),
        Known(name: "ST", oid: "2.5.4.8", aliases: ["S", "STATEORPROVINCENAME"]),
        Known(name: "STREET", oid: "2.5.4.9", aliases: ["STREETADDRESS"]),
        Known(name: "O", oid: "2.5.4.10", aliases: ["ORGANIZATIONNAME"]),
        Known(name: "OU", oid: "2.5.4.11", aliases: ["ORGANIZATIONALUNITNAME"]),
        Known(name: "T", oid: "2.5.4.12", aliases: ["TITLE"]),
        Known(name: "DESCRIPTION", oid: "2.5.4.13", aliases: []),
        Known(name: "BUSINESSCATEGORY", oid: "2.5.4.15", aliases: []),
        Known(name: "POSTALADDRESS", oid: "2.5.4.16", aliases: []),
        Known(name: "POSTALCODE", oid: "2.5.4.17", aliases: []),
        Known(name: "POSTOFFICEBOX", oid: "2.5.4.18", aliases: []),
        Known(name: "TELEPHONENUMBER", oid: "2.5.4.20", aliases: []),
        Known(name: "NAME", oid: "2.5.4.41", aliases: []),
        Known(name: "GIVENNAME", oid: "2.5.4.42", aliases: ["GN"]),
        Known(name: "INITIALS", oid: "2.5.4.43", aliases: []),
        Known(name: "GENERATIONQUALIFIER", oid: "2.5.4.44", aliases: []),
        Known(name: "DNQUALIFIER", oid: "2.5.4.46", aliases: []),
        Known(name: "PSEUDONYM", oid: "2.5.4.65", aliases: []),
        Known(name: "ROLE", oid: "2.5.4.72", aliases: []),
        Known(name: "ORGANIZATIONIDENTIFIER", oid: "2.5.4.97", aliases: []),
        Known(name: "UID", oid: "0.9.2342.19200300.100.1.1", aliases: ["USERID"]),
        Known(name: "DC", oid: "0.9.2342.19200300.100.1.25", aliases: ["DOMAINCOMPONENT"]),
        Known(name: "E", oid: "1.2.840.113549.1.9.1", aliases: ["EMAIL", "EMAILADDRESS"]),
        Known(name: "UNSTRUCTUREDNAME", oid: "1.2.840.113549.1.9.2", aliases: []),
        Known(name: "UNSTRUCTUREDADDRESS", oid: "1.2.840.113549.1.9.8", aliases: []),
        Known(name: "JURISDICTIONLOCALITY", oid: "1.3.6.1.4.1.311.60.2.1.1", aliases: ["JURISDICTIONL"]),
        Known(name: "JURISDICTIONSTATE", oid: "1.3.6.1.4.1.311.60.2.1.2", aliases: ["JURISDICTIONST"]),
        Known(name: "JURISDICTIONCOUNTRY", oid: "1.3.6.1.4.1.311.60.2.1.3", aliases: ["JURISDICTIONC"]),
    ]

    /// Upper-cased name, alias or OID → canonical name.
    private static let canonicalByKey: [String: String] = {
        var map: [String: String] = [:]
        for entry in known {
            for key in [entry.name, entry.oid] + entry.aliases { map[key] = entry.name }
        }
        return map
    }()

    /// Canonical name → dotted OID.
    private static let oidByName = Dictionary(uniqueKeysWithValues: known.map { ($0.name, $0.oid) })

    /// The dotted OID of a canonical name (as ``canonical(_:)`` returns it): the known OID for a
    /// name, the type itself for a dotted OID, `nil` for an unknown name.
    static func oid(ofCanonical name: String) -> String? {
        if let oid = oidByName[name] { return oid }
        return name.first?.isASCIIDigit == true ? name : nil
    }

    /// The canonical name for a type name, alias or OID (an `OID.` prefix is allowed); a dotted
    /// OID without a name is returned as-is (without leading zeros in its arcs); `nil` for
    /// anything else.
    static func canonical(_ raw: String) -> String? {
        var key = raw.uppercased()
        if key.hasPrefix("OID.") { key.removeFirst(4) }
        if let name = canonicalByKey[key] { return name }
        let arcs = key.split(separator: ".", omittingEmptySubsequences: false)
        guard arcs.count >= 2, arcs.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) })
        else { return nil }
        let oid = arcs.map { arc in
            let digits = arc.drop { $0 == "0" }
            return digits.isEmpty ? "0" : String(digits)
        }.joined(separator: ".")
        return canonicalByKey[oid] ?? oid
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
