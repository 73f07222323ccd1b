import Foundation

/// One remote key binding as a CA sees it (SPEC §5). Encoded with every key present, `null`
/// where the SPEC says null, so CAs can rely on the shape.
public struct KeyBinding: Codable, Sendable, Equatable {
    public var type = "AuthenticationKeyBinding"
    public var id: Int
    public var name: String
    public var status: String
    public var cryptoTokenId: Int
    public var cryptoTokenName: String
    public var cryptoTokenActive: Bool
    public var keyAlias: String?
    public var nextKeyAlias: String?
    public var keyAlgorithm: String?
    public var keySpecification: String?
    public var subjectKeyId: String?
    public var certificateFingerprint: String?
    public var certificateFingerprintSha256: String?
    public var certificateNotAfter: String?
    /// Only in `GET /peer/v1/keybindings/{id}` when `PEERS_ISSUED` is true.
    public var certificateChain: String?

    public init(
        id: Int, name: String, status: String, cryptoTokenId: Int, cryptoTokenName: String,
        cryptoTokenActive: Bool, keyAlias: String?, nextKeyAlias: String?, keyAlgorithm: String?,
        keySpecification: String?, subjectKeyId: String?, certificateFingerprint: String?,
        certificateFingerprintSha256: String?, certificateNotAfter: String?, certificateChain: String? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.cryptoTokenId = cryptoTokenId
        self.cryptoTokenName = cryptoTokenName
        self.cryptoTokenActive = cryptoTokenActive
        self.keyAlias = keyAlias
        self.nextKeyAlias = nextKeyAlias
        self.keyAlgorithm = keyAlgorithm
        self.keySpecification = keySpecification
        self.subjectKeyId = subjectKeyId
        self.certificateFingerprint = certificateFingerprint
        self.certificateFingerprintSha256 = certificateFingerprintSha256
        self.certificateNotAfter = certificateNotAfter
        self.certificateChain = certificateChain
    }

    enum CodingKeys: String, CodingKey {
        case type, id, name, status, cryptoTokenId, cryptoTokenName, cryptoTokenActive, keyAlias, nextKeyAlias
        case keyAlgorithm, keySpecification, subjectKeyId, certificateFingerprint, certificateFingerprintSha256
        case certificateNotAfter, certificateChain
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(cryptoTokenId, forKey: .cryptoTokenId)
        try container.encode(cryptoTokenName, forKey: .cryptoTokenName)
        try container.encode(cryptoTokenActive, forKey: .cryptoTokenActive)
        // SPEC §5 fields are always present, null when unknown.
        try container.encode(keyAlias, forKey: .keyAlias)
        try container.encode(nextKeyAlias, forKey: .nextKeyAlias)
        try container.encode(keyAlgorithm, forKey: .keyAlgorithm)
        try container.encode(keySpecification, forKey: .keySpecification)
        try container.encode(subjectKeyId, forKey: .subjectKeyId)
        try container.encode(certificateFingerprint, forKey: .certificateFingerprint)
        try container.encode(certificateFingerprintSha256, forKey: .certificateFingerprintSha256)
        try container.encode(certificateNotAfter, forKey: .certificateNotAfter)
        try container.encodeIfPresent(certificateChain, forKey: .certificateChain)
    }
}

/// `GET /peer/v1/keybindings`.
public struct KeyBindingList: Codable, Sendable, Equatable {
    public var keyBindings: [KeyBinding]
    public init(keyBindings: [KeyBinding]) { self.keyBindings = keyBindings }
}
