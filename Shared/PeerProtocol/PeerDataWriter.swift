/// Writes a frame's data section (EJBCA-PEER-PROTOCOL.md §2.2): big-endian integers, flag `01`
/// before present values and `00` for null, booleans as `01`/`00`.
public struct PeerDataWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func writeInt(_ value: Int32) {
        let bits = UInt32(bitPattern: value)
        bytes += [UInt8(bits >> 24), UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 8),
                  UInt8(truncatingIfNeeded: bits)]
    }

    public mutating func writeLong(_ value: Int64) {
        let bits = UInt64(bitPattern: value)
        writeInt(Int32(bitPattern: UInt32(bits >> 32)))
        writeInt(Int32(bitPattern: UInt32(truncatingIfNeeded: bits)))
    }

    public mutating func writeBoolean(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func writeRaw(_ raw: [UInt8]) { bytes += raw }

    /// A nullable byte array. Values over the 128 MiB limit cannot occur in this protocol's
    /// messages (bodies are bounded long before), so they are a programming error.
    public mutating func writeBytes(_ value: [UInt8]?) {
        guard let value else { return bytes.append(0) }
        precondition(value.count <= Int(PeerDataReader.maximumLength), "field over the 128 MiB wire limit")
        bytes.append(1)
        writeInt(Int32(value.count))
        bytes += value
    }

    public mutating func writeString(_ value: String?) { writeBytes(value.map { Array($0.utf8) }) }

    public mutating func writeStringList(_ value: [String?]?) {
        guard let value else { return bytes.append(0) }
        precondition(value.count <= Int(PeerDataReader.maximumListCount), "list over the wire limit")
        bytes.append(1)
        writeInt(Int32(value.count))
        for item in value { writeString(item) }
    }
}
