/// A distinguished name in the one form SignPeer compares (SPEC §4).
///
/// Authorization rules name a certificate issuer by DN, and the same issuer reaches SignPeer in
/// many spellings: typed by hand in RFC 4514 or X.500 order, in OpenSSL's slash form, or read from
/// a certificate. Every source is turned into this value, so a rule and a certificate always meet
/// in one form:
///
/// - RDNs are kept in RFC 4514 string order (most specific first, e.g. `CN=..., O=..., C=SE`).
/// - Attribute types use canonical upper-case short names (`CN`, `E`, `SERIALNUMBER`, ...), or
///   the dotted OID for types without one.
/// - Values are trimmed and inner whitespace runs collapsed to one space.
/// - The attributes of a multi-valued RDN (`CN=a+UID=b`) are sorted by type, then value.
///
/// Rules store ``normalized`` (readable, case preserved) and compare by ``matchKey`` (its
/// lower-cased form, an approximation of RFC 5280 caseIgnoreMatch), so `O=Demo` and `O=DEMO`
/// name the same issuer.
public struct DistinguishedName: Sendable, Hashable, CustomStringConvertible {
    /// The RDNs in RFC 4514 order, most specific first.
    public let rdns: [RelativeDistinguishedName]

    /// Creates a DN from RDNs already in RFC 4514 order (most specific first). Certificate
    /// parsers, which read names in X.500 order, reverse them before calling this.
    public init(rdns: [RelativeDistinguishedName]) {
        self.rdns = rdns
    }

    /// Parses a DN typed by a person or printed by a tool.
    ///
    /// Accepts RFC 4514 strings (`,` or `;` between RDNs, `+` inside multi-valued RDNs, `\`
    /// escapes including `\XX` hex pairs that may form UTF-8 sequences, quoted values, whitespace
    /// around separators and `=`) and OpenSSL's slash form `/C=SE/O=Demo/CN=Demo CA`.
    ///
    /// Order: the slash form is always X.500 order and is reversed. A comma-separated DN whose
    /// first RDN is made only of `C` or `DC` attributes while its last is not is taken as typed in
    /// X.500 order and reversed too, so `C=SE, O=Demo, CN=Demo CA` and `CN=Demo CA, O=Demo, C=SE`
    /// normalize the same.
    ///
    /// Attribute types are case-insensitive; known names, aliases (`EMAILADDRESS`, `SN` for
    /// serialNumber as in EJBCA, ...) and their OIDs map to one canonical name, other dotted OIDs
    /// are kept, and unknown names are rejected so a typo cannot silently never match.
    /// Hex-encoded `#...` values are not supported.
    ///
    /// An empty or whitespace-only string is the empty DN.
    ///
    /// - Throws: ``SignPeerError`` with code `.invalidDN` and a message naming the problem.
    public init(parsing input: String) throws {
        self.rdns = try DistinguishedNameParser.parse(input)
    }

    /// Whether the DN has no RDNs.
    public var isEmpty: Bool { rdns.isEmpty }

    /// The normalized RFC 4514 string: `TYPE=value` components joined with `", "`, values escaped
    /// as RFC 4514 requires (plus `=`), multi-valued RDN attributes joined with `+`.
    /// The empty DN is `""`.
    public var normalized: String {
        rdns.map(\.normalized).joined(separator: ", ")
    }

    /// ``normalized`` lower-cased: the key that rules and certificates are compared by.
    public var matchKey: String {
        normalized.lowercased()
    }

    public var description: String { normalized }
}

/// One relative distinguished name: usually one attribute, several for a multi-valued RDN.
public struct RelativeDistinguishedName: Sendable, Hashable {
    /// One `type=value` pair, stored normalized.
    public struct Attribute: Sendable, Hashable {
        /// The canonical type name (`CN`, `E`, `SERIALNUMBER`, ...) or a dotted OID.
        public let type: String
        /// The value, trimmed, inner whitespace runs collapsed to one space, unescaped.
        public let value: String

        /// Creates an attribute, mapping known type names, aliases and OIDs to the canonical name
        /// (other types are upper-cased) and normalizing the value's whitespace.
        public init(type: String, value: String) {
            self.type = AttributeTypeName.canonical(type) ?? type.uppercased()
            self.value = value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }

        /// The dotted OID of ``type``, for encoding the attribute into a certificate or request;
        /// `nil` when the type is neither a known name nor an OID.
        public var objectIdentifier: String? {
            AttributeTypeName.oid(ofCanonical: type)
        }

        var normalized: String {
            "\(type)=\(Self.escape(value))"
        }

        /// RFC 4514 §2.4 escaping, plus `=`; control characters become `\XX`.
        static func escape(_ value: String) -> String {
            let scalars = Array(value.unicodeScalars)
            var out = ""
            for (offset, scalar) in scalars.enumerated() {
                switch scalar {
                case ",", "+", "\"", "\\", "<", ">", ";", "=":
                    out += "\\\(scalar)"
                case "#" where offset == 0, " " where offset == 0 || offset == scalars.count - 1:
                    out += "\\\(scalar)"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += hex.count == 1 ? "\\0\(hex)" : "\\\(hex)"
                default:
                    out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
    }

    /// The attributes, sorted by type and then value so that spelling order does not matter.
    public let attributes: [Attribute]

    /// Creates an RDN from one or more attributes.
    public init(_ attributes: [Attribute]) {
        precondition(!attributes.isEmpty, "an RDN has at least one attribute")
        self.attributes = attributes.sorted { ($0.type, $0.value) < ($1.type, $1.value) }
    }

    var normalized: String {
        attributes.map(\.normalized).joined(separator: "+")
    }
}
