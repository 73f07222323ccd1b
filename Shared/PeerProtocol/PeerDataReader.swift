/// Reads the data section of a frame field by field (EJBCA-PEER-PROTOCOL.md §2.2), the way the
/// receiving end of EJBCA's peer protocol reads it: big-endian integers, a flag byte where only
/// `00` means null, booleans where only `01` means true, lengths bounded before anything is read.
///
/// Every read checks the bytes left first and throws ``PeerProtocolError/truncated(field:needed:available:)``
/// instead of reading past the end. Trailing bytes are not an error: a decoder reads the fields
/// its version knows and ignores the rest, which is how the protocol adds fields.
public struct PeerDataReader: Sendable {
    /// Largest byte array, string or header extension (128 MiB).
    public static let maximumLength: Int32 = 134_217_728
    /// Largest string list (128 MiB / 1024 items).
    public static let maximumListCount: Int32 = 131_072

    private let bytes: [UInt8]
    /// Index of the next byte to read.
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    /// Bytes not read yet.
    public var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ field: String) throws(PeerProtocolError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw .truncated(field: field, needed: count, available: remaining)
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    public mutating func readInt(_ field: String) throws(PeerProtocolError) -> Int32 {
        Int32(bitPattern: try take(4, field).reduce(0) { $0 << 8 | UInt32($1) })
    }

    public mutating func readLong(_ field: String) throws(PeerProtocolError) -> Int64 {
        Int64(bitPattern: try take(8, field).reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// `01` is true; every other byte is false, as the Java reader decides.
    public mutating func readBoolean(_ field: String) throws(PeerProtocolError) -> Bool {
        try take(1, field).first == 1
    }

    /// `count` raw bytes (a type name).
    public mutating func readRaw(_ count: Int, _ field: String) throws(PeerProtocolError) -> [UInt8] {
        Array(try take(count, field))
    }

    /// Skips `count` bytes (a header extension).
    public mutating func skip(_ count: Int, _ field: String) throws(PeerProtocolError) {
        _ = try take(count, field)
    }

    /// A nullable byte array: flag `00` is null, any other flag is followed by a length and the bytes.
    public mutating func readBytes(_ field: String) throws(PeerProtocolError) -> [UInt8]? {
        guard try take(1, field).first != 0 else { return nil }
        let length = try readInt(field)
        guard (0...Self.maximumLength).contains(length) else { throw .lengthOutOfRange(field: field, length: length) }
        return Array(try take(Int(length), field))
    }

    /// A nullable UTF-8 string; malformed UTF-8 becomes replacement characters, as in Java.
    public mutating func readString(_ field: String) throws(PeerProtocolError) -> String? {
        try readBytes(field).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A nullable list of nullable strings.
    public mutating func readStringList(_ field: String) throws(PeerProtocolError) -> [String?]? {
        guard try take(1, field).first != 0 else { return nil }
        let count = try readInt(field)
        guard (0...Self.maximumListCount).contains(count) else { throw .countOutOfRange(field: field, count: count) }
        var items: [String?] = []
        for index in 0..<Int(count) { items.append(try readString("\(field)[\(index)]")) }
        return items
    }
}
