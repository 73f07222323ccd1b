/// Why a frame or its data section could not be read (EJBCA-PEER-PROTOCOL.md §2).
///
/// Every malformed input ends in one of these, never in a trap or an out-of-bounds read, so a
/// server can answer a broken request (HTTP 400) and stay up. `field` names what was being read,
/// for logs and error messages; no input bytes are echoed.
public enum PeerProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input ended inside `field`: `needed` more bytes were required, `available` were left.
    case truncated(field: String, needed: Int, available: Int)
    /// The type-name length is outside 1...250.
    case typeNameLengthOutOfRange(Int32)
    /// A positive header-extension length over the 128 MiB field limit.
    case headerExtensionTooLong(Int32)
    /// The declared data length is not exactly the number of bytes left in the frame.
    case dataLengthMismatch(declared: Int32, remaining: Int)
    /// A byte-array or string length outside 0...134 217 728.
    case lengthOutOfRange(field: String, length: Int32)
    /// A count (string list, binding records) outside its allowed range.
    case countOutOfRange(field: String, count: Int32)
    /// A typed decoder was given a frame of another message type.
    case unexpectedMessageType(expected: String, actual: String)
    /// A frame to encode has a type name whose UTF-8 length is outside 1...250.
    case invalidTypeName(length: Int)

    public var description: String {
        switch self {
        case .truncated(let field, let needed, let available):
            "the frame ends inside \(field) (\(needed) bytes needed, \(available) left)"
        case .typeNameLengthOutOfRange(let length): "type-name length \(length) is outside 1...250"
        case .headerExtensionTooLong(let length): "header-extension length \(length) is over 134217728"
        case .dataLengthMismatch(let declared, let remaining):
            "declared data length \(declared) is not the \(remaining) bytes left in the frame"
        case .lengthOutOfRange(let field, let length): "\(field): length \(length) is outside 0...134217728"
        case .countOutOfRange(let field, let count): "\(field): count \(count) is out of range"
        case .unexpectedMessageType(let expected, let actual): "expected a \(expected) frame, got \(actual.prefix(64))"
        case .invalidTypeName(let length): "a type name of \(length) bytes cannot be encoded (1...250)"
        }
    }
}
