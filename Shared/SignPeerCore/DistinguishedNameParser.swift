/// The RFC 4514 / OpenSSL slash-form DN parser behind ``DistinguishedName/init(parsing:)``.
///
/// Works on UTF-8 bytes: every syntax character is ASCII, and `\XX` escapes produce bytes that
/// only become text once a whole value is read. One left-to-right pass, so no input can make it
/// loop or recurse.
struct DistinguishedNameParser {
    private enum Syntax {
        /// `CN=a, O=b` (`;` also separates RDNs); values may be quoted.
        case rfc4514
        /// OpenSSL's `/O=b/CN=a`, in X.500 order.
        case slash
    }

    private let bytes: [UInt8]
    private let syntax: Syntax
    private var index: Int
    private var end: Int { bytes.count }

    /// Parses `input` into RDNs in RFC 4514 order.
    static func parse(_ input: String) throws -> [RelativeDistinguishedName] {
        let bytes = Array(input.utf8)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return [] }
        if bytes[first] == UInt8(ascii: "/") {
            var parser = Self(bytes: bytes, syntax: .slash, index: first + 1)
            return try parser.parseRDNs().reversed()
        }
        var parser = Self(bytes: bytes, syntax: .rfc4514, index: first)
        let rdns = try parser.parseRDNs()
        if let head = rdns.first, let tail = rdns.last, isRootLike(head), !isRootLike(tail) {
            return rdns.reversed()
        }
        return rdns
    }

    /// An RDN of only `C` or `DC` attributes: what an X.500-order DN starts with.
    private static func isRootLike(_ rdn: RelativeDistinguishedName) -> Bool {
        rdn.attributes.allSatisfy { $0.type == "C" || $0.type == "DC" }
    }

    private mutating func parseRDNs() throws -> [RelativeDistinguishedName] {
        var rdns: [RelativeDistinguishedName] = []
        var attributes: [RelativeDistinguishedName.Attribute] = []
        while true {
            attributes.append(try parseAttribute())
            guard index < end else { break }
            // parseAttribute stops only at the end or at a separator.
            let separator = bytes[index]
            index += 1
            if separator != UInt8(ascii: "+") {
                rdns.append(RelativeDistinguishedName(attributes))
                attributes = []
            }
        }
        rdns.append(RelativeDistinguishedName(attributes))
        return rdns
    }

    private mutating func parseAttribute() throws -> RelativeDistinguishedName.Attribute {
        skipSpaces()
        let typeStart = index
        while index < end, bytes[index] != UInt8(ascii: "=") {
            if isSeparator(bytes[index]) { break }
            index += 1
        }
        let rawType = text(typeStart..<index).trimmingSpaces
        guard index < end, bytes[index] == UInt8(ascii: "=") else {
            if rawType.isEmpty {
                throw invalid(index < end ? "empty component at offset \(index)" : "DN ends with a separator")
            }
            throw invalid("component '\(Self.excerpt(rawType))' has no '=' and value")
        }
        guard !rawType.isEmpty else { throw invalid("attribute type missing before '=' at offset \(index)") }
        guard let type = AttributeTypeName.canonical(rawType) else {
            throw invalid("unknown attribute type '\(Self.excerpt(rawType))'")
        }
        index += 1
        skipSpaces()
        let value = try parseValue(of: type)
        return RelativeDistinguishedName.Attribute(type: type, value: value)
    }

    private mutating func parseValue(of type: String) throws -> String {
        var value: [UInt8] = []
        if syntax == .rfc4514, index < end, bytes[index] == UInt8(ascii: "\"") {
            index += 1
            while true {
                guard index < end else { throw invalid("unterminated quoted value of \(type)") }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\") {
                    try appendEscape(to: &value)
                } else {
                    value.append(byte)
                    index += 1
                }
            }
            index += 1
            skipSpaces()
            guard index == end || isSeparator(bytes[index]) else {
                throw invalid("unexpected text after the quoted value of \(type) at offset \(index)")
            }
        } else {
            if syntax == .rfc4514, index < end, bytes[index] == UInt8(ascii: "#") {
                throw invalid(
                    "hex-encoded value of \(type) is not supported; write it as text, or escape a literal '#' as '\\#'")
            }
            while index < end, !isSeparator(bytes[index]) {
                if bytes[index] == UInt8(ascii: "\\") {
                    try appendEscape(to: &value)
                } else {
                    value.append(bytes[index])
                    index += 1
                }
            }
        }
        let string = String(decoding: value, as: UTF8.self)
        guard string.utf8.elementsEqual(value) else { throw invalid("value of \(type) is not valid UTF-8") }
        return string
    }

    /// Reads `\c` (c a special character) or `\XX` (a hex pair) at `index`.
    private mutating func appendEscape(to value: inout [UInt8]) throws {
        let offset = index
        index += 1
        guard index < end else { throw invalid("'\\' at the end of the DN escapes nothing") }
        if let high = Self.hexValue(bytes[index]) {
            guard index + 1 < end, let low = Self.hexValue(bytes[index + 1]) else {
                throw invalid("bad hex escape at offset \(offset): \(Self.escapeRule)")
            }
            value.append(high << 4 | low)
            index += 2
        } else if Self.escapable.contains(bytes[index]) || (syntax == .slash && bytes[index] == UInt8(ascii: "/"))
        {
            value.append(bytes[index])
            index += 1
        } else {
            throw invalid("bad escape at offset \(offset): \(Self.escapeRule)")
        }
    }

    private static let escapeRule = "'\\' must be followed by two hex digits or a special character"

    private static let escapable = Set(#",+"\<>;=# "#.utf8)

    private func isSeparator(_ byte: UInt8) -> Bool {
        switch syntax {
        case .rfc4514: byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "+")
        case .slash: byte == UInt8(ascii: "/") || byte == UInt8(ascii: "+")
        }
    }

    private mutating func skipSpaces() {
        while index < end, Self.isSpace(bytes[index]) { index += 1 }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Keeps error messages short whatever the input.
    private static func excerpt(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(40)) + "..."
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    private func invalid(_ message: String) -> SignPeerError {
        SignPeerError.invalidDN("invalid DN: \(message)")
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
