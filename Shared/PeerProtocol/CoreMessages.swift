/// The protocol's own messages (EJBCA-PEER-PROTOCOL.md §3.2): liveness, unknown types, errors,
/// and the access-rule check.

/// `PING`: the CA's "Ping" button and its pooled-connection validation.
public struct Ping: EmptyPeerMessage {
    public static let typeName = "PING"
    public init() {}
}

/// `PING_RESPONSE`, the only answer EJBCA's connection validation accepts.
public struct PingResponse: EmptyPeerMessage {
    public static let typeName = "PING_RESPONSE"
    public init() {}
}

/// `UNKNOWN_MESSAGE_TYPE_RESPONSE`: the type name has no handler (HTTP 200).
public struct UnknownMessageTypeResponse: EmptyPeerMessage {
    public static let typeName = "UNKNOWN_MESSAGE_TYPE_RESPONSE"
    public init() {}
}

/// `GENERIC_ERROR_RESPONSE`: an expected failure, as the fully qualified Java class name EJBCA
/// knows for it and a message.
public struct GenericErrorResponse: PeerMessage {
    public static let typeName = "GENERIC_ERROR_RESPONSE"
    public var exceptionClassName: String?
    public var message: String?
    public var version: Int32 { 0 }

    public init(exceptionClassName: String?, message: String?) {
        self.exceptionClassName = exceptionClassName
        self.message = message
    }

    public init(version: Int32, data: inout PeerDataReader) throws(PeerProtocolError) {
        exceptionClassName = try data.readString("exception class name")
        message = try data.readString("message")
    }

    public func write(to data: inout PeerDataWriter) {
        data.writeString(exceptionClassName)
        data.writeString(message)
    }
}

/// `AUTHORIZATION_CHECK`: the access-rule names the CA asks about.
public struct AuthorizationCheck: PeerMessage {
    public static let typeName = "AUTHORIZATION_CHECK"
    public var resources: [String?]?
    public var version: Int32 { 0 }

    public init(resources: [String?]?) { self.resources = resources }

    public init(version: Int32, data: inout PeerDataReader) throws(PeerProtocolError) {
        resources = try data.readStringList("requested resources")
    }

    public func write(to data: inout PeerDataWriter) { data.writeStringList(resources) }
}

/// `AUTHORIZATION_CHECK_RESPONSE`: the subset of the asked rules the caller holds, in order.
public struct AuthorizationCheckResponse: PeerMessage {
    public static let typeName = "AUTHORIZATION_CHECK_RESPONSE"
    public var authorizedResources: [String?]?
    public var version: Int32 { 0 }

    public init(authorizedResources: [String?]?) { self.authorizedResources = authorizedResources }

    public init(version: Int32, data: inout PeerDataReader) throws(PeerProtocolError) {
        authorizedResources = try data.readStringList("authorized resources")
    }

    public func write(to data: inout PeerDataWriter) { data.writeStringList(authorizedResources) }
}
