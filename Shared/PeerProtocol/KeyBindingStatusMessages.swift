/// Listing the remote key bindings (EJBCA-PEER-PROTOCOL.md §3.3.1).

/// `INTERNAL_KEY_BINDING_STATUS_REQUEST`: no data.
public struct KeyBindingStatusRequest: EmptyPeerMessage {
    public static let typeName = "INTERNAL_KEY_BINDING_STATUS_REQUEST"
    public init() {}
}

/// One binding in a status response: the 12 fields, in wire order.
public struct KeyBindingStatusRecord: Sendable, Hashable {
    /// Always `AuthenticationKeyBinding` from a signer.
    public var type: String?
    public var id: Int32
    public var name: String?
    /// `ACTIVE` or `DISABLED`.
    public var status: String?
    /// 40 lower-case hex characters (SHA-1 of the DER), or null until a peer issued the certificate.
    public var certificateFingerprint: String?
    public var cryptoTokenId: Int32
    public var cryptoTokenName: String?
    public var cryptoTokenActive: Bool
    public var keyAlias: String?
    public var keyAlgorithm: String?
    public var keySpecification: String?
    /// Lower-case hex of the subject key identifier.
    public var subjectKeyId: String?

    public init(
        type: String? = "AuthenticationKeyBinding", id: Int32, name: String?, status: String?,
        certificateFingerprint: String?, cryptoTokenId: Int32, cryptoTokenName: String?, cryptoTokenActive: Bool,
        keyAlias: String?, keyAlgorithm: String?, keySpecification: String?, subjectKeyId: String?
    ) {
        self.type = type
        self.id = id
        self.name = name
        self.status = status
        self.certificateFingerprint = certificateFingerprint
        self.cryptoTokenId = cryptoTokenId
        self.cryptoTokenName = cryptoTokenName
        self.cryptoTokenActive = cryptoTokenActive
        self.keyAlias = keyAlias
        self.keyAlgorithm = keyAlgorithm
        self.keySpecification = keySpecification
        self.subjectKeyId = subjectKeyId
    }

    init(_ data: inout PeerDataReader, index: Int) throws(PeerProtocolError) {
        let field = "binding[\(index)]"
        type = try data.readString("\(field) type")
        id = try data.readInt("\(field) id")
        name = try data.readString("\(field) name")
        status = try data.readString("\(field) status")
        certificateFingerprint = try data.readString("\(field) certificate fingerprint")
        cryptoTokenId = try data.readInt("\(field) cryptoTokenId")
        cryptoTokenName = try data.readString("\(field) cryptoTokenName")
        cryptoTokenActive = try data.readBoolean("\(field) cryptoTokenActive")
        keyAlias = try data.readString("\(field) key alias")
        keyAlgorithm = try data.readString("\(field) key algorithm")
        keySpecification = try data.readString("\(field) key specification")
        subjectKeyId = try data.readString("\(field) subject key id")
    }

    func write(to data: inout PeerDataWriter) {
        data.writeString(type)
        data.writeInt(id)
        data.writeString(name)
        data.writeString(status)
        data.writeString(certificateFingerprint)
        data.writeInt(cryptoTokenId)
        data.writeString(cryptoTokenName)
        data.writeBoolean(cryptoTokenActive)
        data.writeString(keyAlias)
        data.writeString(keyAlgorithm)
        data.writeString(keySpecification)
        data.writeString(subjectKeyId)
    }
}

/// `INTERNAL_KEY_BINDING_STATUS_RESPONSE`: a count, then the records (the count is written even
/// when it is 0, because EJBCA's decoder needs it).
public struct KeyBindingStatusResponse: PeerMessage {
    public static let typeName = "INTERNAL_KEY_BINDING_STATUS_RESPONSE"
    public var bindings: [KeyBindingStatusRecord]
    public var version: Int32 { 0 }

    public init(bindings: [KeyBindingStatusRecord]) { self.bindings = bindings }

    public init(version: Int32, data: inout PeerDataReader) throws(PeerProtocolError) {
        let count = try data.readInt("binding count")
        guard count >= 0 else { throw .countOutOfRange(field: "binding count", count: count) }
        bindings = []
        // No capacity reserved from the count: a record is at least 15 bytes, so a lying count
        // ends in `truncated` after reading what is there, never in a huge allocation.
        for index in 0..<Int(count) { bindings.append(try KeyBindingStatusRecord(&data, index: index)) }
    }

    public func write(to data: inout PeerDataWriter) {
        data.writeInt(Int32(bindings.count))
        for binding in bindings { binding.write(to: &data) }
    }
}
