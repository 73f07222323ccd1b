/// A typed message of the peer protocol: its wire type name, the layout version it is written
/// with, and how its data section is read and written (EJBCA-PEER-PROTOCOL.md §3).
public protocol PeerMessage: Sendable, Equatable {
    static var typeName: String { get }
    /// The message version written in the frame header.
    var version: Int32 { get }
    /// Reads the data section of a frame with message version `version`. Trailing bytes are ignored.
    init(version: Int32, data: inout PeerDataReader) throws(PeerProtocolError)
    func write(to data: inout PeerDataWriter)
}

extension PeerFrame {
    /// A frame carrying `message`, from the node `sourceId`, as its message number `messageId`.
    public init(_ message: some PeerMessage, sourceId: Int32, messageId: Int64) {
        var writer = PeerDataWriter()
        message.write(to: &writer)
        self.init(
            typeName: type(of: message).typeName, sourceId: sourceId, messageId: messageId, version: message.version,
            data: writer.bytes)
    }

    /// The typed message of this frame; refuses a frame of another type, as EJBCA's decoders do.
    public func message<Message: PeerMessage>(as type: Message.Type) throws(PeerProtocolError) -> Message {
        guard typeName == Message.typeName else {
            throw .unexpectedMessageType(expected: Message.typeName, actual: typeName)
        }
        var reader = PeerDataReader(data)
        return try Message(version: version, data: &reader)
    }
}

/// A message without data, version 0 (PING, its response, STATUS_REQUEST, ...). A data section
/// that is present anyway is ignored, as SignServer ignores it.
public protocol EmptyPeerMessage: PeerMessage {
    init()
}

extension EmptyPeerMessage {
    public var version: Int32 { 0 }
    public init(version: Int32, data: inout PeerDataReader) throws(PeerProtocolError) { self.init() }
    public func write(to data: inout PeerDataWriter) {}
}
