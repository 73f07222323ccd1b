import Foundation

/// A type a column value can be decoded into.
///
/// Results arrive in PostgreSQL's text format; each conforming type reads that text. Make your
/// own types conform to decode them straight from a row.
public protocol PostgresDecodable: Sendable {
    /// Creates a value from a column's text, where `nil` is SQL NULL. Returns `nil` when the text
    /// is not a valid value of this type (or is NULL and the type is not optional).
    init?(postgresText: String?)
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    /// SQL NULL decodes as `nil`; anything else must decode as `Wrapped`.
    public init?(postgresText: String?) {
        guard let postgresText else {
            self = .none
            return
        }
        guard let value = Wrapped(postgresText: postgresText) else { return nil }
        self = .some(value)
    }
}

extension String: PostgresDecodable {
    public init?(postgresText: String?) {
        guard let postgresText else { return nil }
        self = postgresText
    }
}

extension Int: PostgresDecodable {
    public init?(postgresText: String?) {
        guard let postgresText else { return nil }
        self.init(postgresText)
    }
}

extension Int64: PostgresDecodable {
    public init?(postgresText: String?) {
        guard let postgresText else { return nil }
        self.init(postgresText)
    }
}

extension Int32: PostgresDecodable {
    public init?(postgresText: String?) {
        guard let postgresText else { return nil }
        self.init(postgresText)
    }
}

extension Bool: PostgresDecodable {
    /// PostgreSQL prints booleans as `t` and `f`.
    public init?(postgresText: String?) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension Double: PostgresDecodable {
    /// Reads `NaN`, `Infinity` and `-Infinity` as well as numbers (float8, float4 and numeric).
    public init?(postgresText: String?) {
        guard let postgresText else { return nil }
        self.init(postgresText)
    }
}

extension Date: PostgresDecodable {
    /// Reads `timestamptz`, `timestamp` (taken as UTC) and `date` in ISO DateStyle, which every
    /// connection sets when it opens.
    public init?(postgresText: String?) {
        guard let postgresText, let date = PostgresTimestamp.parse(postgresText) else { return nil }
        self = date
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    /// Reads `bytea` in hex output format (`\x0a1b...`), which every connection sets when it opens.
    public init?(postgresText: String?) {
        guard let utf8 = postgresText?.utf8, utf8.starts(with: #"\x"#.utf8), utf8.count % 2 == 0
        else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2 - 1)
        var high: UInt8?
        for character in utf8.dropFirst(2) {
            guard let nibble = Self.hexValue(character) else { return nil }
            if let pending = high {
                bytes.append(pending << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        self = bytes
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
