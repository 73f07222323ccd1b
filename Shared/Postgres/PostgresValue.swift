import CLibPQ
import Foundation

/// A query parameter. Values always travel separately from the SQL text (`PQexecParams`), so
/// nothing a user types can change what a statement does.
public enum PostgresValue: Sendable, Hashable {
    case null
    /// Sent with an unspecified type, so the server infers it from context (text, varchar, uuid,
    /// json, an enum, ...).
    case text(String)
    case int(Int64)
    case bool(Bool)
    /// Sent in binary format, so any bytes (zeros included) arrive unchanged.
    case bytes([UInt8])
    case double(Double)
    /// Sent as `timestamptz` in ISO 8601 UTC, to the microsecond.
    case timestamp(Date)
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension PostgresValue {
    /// A parameter as `PQexecParams` takes it.
    struct Wire {
        /// The type OID, 0 to let the server infer it.
        var type: Oid
        /// The value's bytes (text format is NUL-terminated), `nil` for SQL NULL.
        var bytes: [UInt8]?
        var isBinary: Bool
    }

    /// Type OIDs from PostgreSQL's `pg_type.dat`; they are fixed across versions.
    private enum TypeOID {
        static let unspecified: Oid = 0
        static let bool: Oid = 16
        static let bytea: Oid = 17
        static let int8: Oid = 20
        static let float8: Oid = 701
        static let timestamptz: Oid = 1184
    }

    /// The parameter in wire form; `nil` for text containing a NUL character, which PostgreSQL
    /// cannot store and libpq would silently truncate.
    var wire: Wire? {
        switch self {
        case .null:
            return Wire(type: TypeOID.unspecified, bytes: nil, isBinary: false)
        case .text(let string):
            guard !string.utf8.contains(0) else { return nil }
            return .text(string, type: TypeOID.unspecified)
        case .int(let value):
            return .text(String(value), type: TypeOID.int8)
        case .bool(let value):
            return .text(value ? "t" : "f", type: TypeOID.bool)
        case .bytes(let bytes):
            return Wire(type: TypeOID.bytea, bytes: bytes, isBinary: true)
        case .double(let value):
            let text: String
            if value.isNaN {
                text = "NaN"
            } else if value.isInfinite {
                text = value < 0 ? "-Infinity" : "Infinity"
            } else {
                text = "\(value)"
            }
            return .text(text, type: TypeOID.float8)
        case .timestamp(let date):
            return .text(PostgresTimestamp.format(date), type: TypeOID.timestamptz)
        }
    }
}

extension PostgresValue.Wire {
    fileprivate static func text(_ string: String, type: Oid) -> Self {
        Self(type: type, bytes: Array(string.utf8) + [0], isBinary: false)
    }
}
