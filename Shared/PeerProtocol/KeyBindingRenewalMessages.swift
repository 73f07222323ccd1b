/// The two renewal steps (EJBCA-PEER-PROTOCOL.md §3.3.2, §3.3.3). Decoders follow the Java
/// rule: version 0 is the old layout, any other version the newest one known here; trailing
/// bytes are ignored.

/// `INTERNAL_KEY_BINDING_PREPARE_RENEWAL`: make a CSR, with a new key first when `renewKeys`.
public struct PrepareRenewal: PeerMessage {
    public static let typeName = "INTERNAL_KEY_BINDING_PREPARE_RENEWAL"
    public var internalKeyBindingId: Int32
    public var renewKeys: Bool
    public var version: Int32 { 0 }

    public init(internalKeyBindingId: Int32, renewKeys: Bool) {
        self.internalKeyBindingId = internalKeyBindingId
        self.renewKeys = renewKeys
    }

    public init(version: Int32, data: inout PeerDataReader) throws(PeerProtocolError) {
        internalKeyBindingId = try data.readInt("internalKeyBindingId")
        renewKeys = try data.readBoolean("renewKeys")
    }

    public func write(to data: inout PeerDataWriter) {
        data.writeInt(internalKeyBindingId)
        data.writeBoolean(renewKeys)
    }
}

/// `INTERNAL_KEY_BINDING_PREPARE_RENEWAL_RESPONSE`: the echoed id and flag, the DER CSR, and in
/// version 1 the certificate encoding the signer wants back (`nil` = version 0).
public struct PrepareRenewalResponse: PeerMessage {
    public static let typeName = "INTERNAL_KEY_BINDING_PREPARE_RENEWAL_RESPONSE"
    public var internalKeyBindingId: Int32
    public var keysRenewed: Bool
    /// PKCS#10, DER.
    public var certificationRequest: [UInt8]?
    public var preferredEncoding: CertificateEncoding?
    public var version: Int32 { preferredEncoding == nil ? 0 : 1 }

    public init(
        internalKeyBindingId: Int32, keysRenewed: Bool, certificationRequest: [UInt8]?,
        preferredEncoding: CertificateEncoding? = .pemCertificates
    ) {
        self.internalKeyBindingId = internalKeyBindingId
        self.keysRenewed = keysRenewed
        self.certificationRequest = certificationRequest
        self.preferredEncoding = preferredEncoding
    }

    public init(version: Int32, data: inout PeerDataReader) throws(PeerProtocolError) {
        internalKeyBindingId = try data.readInt("internalKeyBindingId")
        keysRenewed = try data.readBoolean("keysRenewed")
        certificationRequest = try data.readBytes("pkcs10 CSR")
        preferredEncoding = version == 0 ? nil : CertificateEncoding(rawValue: try data.readInt("preferred encoding"))
    }

    public func write(to data: inout PeerDataWriter) {
        data.writeInt(internalKeyBindingId)
        data.writeBoolean(keysRenewed)
        data.writeBytes(certificationRequest)
        if let preferredEncoding { data.writeInt(preferredEncoding.rawValue) }
    }
}

/// `INTERNAL_KEY_BINDING_UPDATE`: the issued certificate. Version 0 (older EJBCA) carries one DER
/// certificate (`encoding == nil`); version 1 says how `certificate` is encoded.
public struct KeyBindingUpdate: PeerMessage {
    public static let typeName = "INTERNAL_KEY_BINDING_UPDATE"
    public var internalKeyBindingId: Int32
    public var certificate: [UInt8]?
    public var encoding: CertificateEncoding?
    public var version: Int32 { encoding == nil ? 0 : 1 }

    public init(internalKeyBindingId: Int32, certificate: [UInt8]?, encoding: CertificateEncoding?) {
        self.internalKeyBindingId = internalKeyBindingId
        self.certificate = certificate
        self.encoding = encoding
    }

    /// The encoding in effect: version 0 means one DER certificate.
    public var effectiveEncoding: CertificateEncoding { encoding ?? .binaryCertificate }

    public init(version: Int32, data: inout PeerDataReader) throws(PeerProtocolError) {
        internalKeyBindingId = try data.readInt("internalKeyBindingId")
        certificate = try data.readBytes("encoded certificate")
        encoding = version == 0 ? nil : CertificateEncoding(rawValue: try data.readInt("encoding"))
    }

    public func write(to data: inout PeerDataWriter) {
        data.writeInt(internalKeyBindingId)
        data.writeBytes(certificate)
        if let encoding { data.writeInt(encoding.rawValue) }
    }
}

/// `INTERNAL_KEY_BINDING_UPDATE_RESPONSE`: no data, sent once the install is durable.
public struct KeyBindingUpdateResponse: EmptyPeerMessage {
    public static let typeName = "INTERNAL_KEY_BINDING_UPDATE_RESPONSE"
    public init() {}
}
