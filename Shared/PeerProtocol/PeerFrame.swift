/// One message of EJBCA's peer protocol as it travels in an HTTP body (EJBCA-PEER-PROTOCOL.md
/// §2.1): base version, type name, sender's sourceId and messageId, message version, an ignored
/// header extension, and the type-specific data section.
///
/// Decoding checks exactly what the Java receiver checks — type-name length 1...250, a positive
/// header extension at most 128 MiB and present, data length equal to the bytes left — and
/// nothing more: the base version is not enforced and an unknown type name is not a format error.
public struct PeerFrame: Sendable, Hashable {
    public static let maximumTypeNameLength = 250
    /// Bytes of a frame without type name, header extension and data.
    public static let fixedHeaderLength = 32

    public var baseVersion: Int32
    /// The message type (`PING`, `INTERNAL_KEY_BINDING_UPDATE`, ...), decoded as UTF-8.
    public var typeName: String
    public var sourceId: Int32
    public var messageId: Int64
    /// The per-type layout version of ``data``.
    public var version: Int32
    public var data: [UInt8]

    public init(
        typeName: String, sourceId: Int32, messageId: Int64, version: Int32 = 0, data: [UInt8] = [],
        baseVersion: Int32 = 0
    ) {
        self.baseVersion = baseVersion
        self.typeName = typeName
        self.sourceId = sourceId
        self.messageId = messageId
        self.version = version
        self.data = data
    }

    /// Parses one whole HTTP body.
    public init(decoding body: [UInt8]) throws(PeerProtocolError) {
        var reader = PeerDataReader(body)
        baseVersion = try reader.readInt("base version")
        let nameLength = try reader.readInt("type-name length")
        guard (1...Int32(Self.maximumTypeNameLength)).contains(nameLength) else {
            throw .typeNameLengthOutOfRange(nameLength)
        }
        let name = try reader.readRaw(Int(nameLength), "type name")
        typeName = String(decoding: name, as: UTF8.self)
        sourceId = try reader.readInt("sourceId")
        messageId = try reader.readLong("messageId")
        version = try reader.readInt("message version")
        let extensionLength = try reader.readInt("header-extension length")
        if extensionLength > 0 {
            guard extensionLength <= PeerDataReader.maximumLength else { throw .headerExtensionTooLong(extensionLength) }
            try reader.skip(Int(extensionLength), "header extension")
        }
        let dataLength = try reader.readInt("data length")
        guard dataLength >= 0, Int(dataLength) == reader.remaining else {
            throw .dataLengthMismatch(declared: dataLength, remaining: reader.remaining)
        }
        data = Array(body[reader.offset...])
    }

    /// The wire bytes, with a zero-length header extension.
    public func encoded() throws(PeerProtocolError) -> [UInt8] {
        let name = Array(typeName.utf8)
        guard (1...Self.maximumTypeNameLength).contains(name.count) else { throw .invalidTypeName(length: name.count) }
        var writer = PeerDataWriter()
        writer.writeInt(baseVersion)
        writer.writeInt(Int32(name.count))
        writer.writeRaw(name)
        writer.writeInt(sourceId)
        writer.writeLong(messageId)
        writer.writeInt(version)
        writer.writeInt(0)
        writer.writeInt(Int32(data.count))
        writer.writeRaw(data)
        return writer.bytes
    }
}
