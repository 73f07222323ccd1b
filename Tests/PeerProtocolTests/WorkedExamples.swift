import SignPeerPeerProtocol
import Testing

/// The worked examples of EJBCA-PEER-PROTOCOL.md §5, copied from the document's "single line"
/// hex, with the values the document's tables give for them.
enum WorkedExamples {
    struct Example: Sendable, CustomTestStringConvertible {
        var name: String
        var hex: String
        var typeName: String
        var sourceId: Int32
        var messageId: Int64
        var version: Int32
        /// Builds the example's frame from typed values, the other direction of the check.
        var frame: @Sendable () -> PeerFrame

        var bytes: [UInt8] { Hex.decode(hex) }
        var testDescription: String { name }
    }

    static let ejbca: Int32 = 0x1A2B_3C4D
    static let signPeer: Int32 = 0x00C0_FFEE

    static let record = KeyBindingStatusRecord(
        id: 3, name: "TSSigner", status: "ACTIVE", certificateFingerprint: nil, cryptoTokenId: 3,
        cryptoTokenName: "TSSigner", cryptoTokenActive: true, keyAlias: "signKey1", keyAlgorithm: "RSA",
        keySpecification: "2048", subjectKeyId: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c")
    static let pemPlaceholder = Array("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n".utf8)

    static let all: [Example] = [
        Example(
            name: "1a PING", hex: "000000000000000450494e471a2b3c4d0000000000000007000000000000000000000000",
            typeName: "PING", sourceId: ejbca, messageId: 7, version: 0,
            frame: { PeerFrame(Ping(), sourceId: ejbca, messageId: 7) }),
        Example(
            name: "1b PING_RESPONSE",
            hex: "000000000000000d50494e475f524553504f4e534500c0ffee00000000000003e9000000000000000000000000",
            typeName: "PING_RESPONSE", sourceId: signPeer, messageId: 1001, version: 0,
            frame: { PeerFrame(PingResponse(), sourceId: signPeer, messageId: 1001) }),
        Example(
            name: "2a STATUS_REQUEST",
            hex: "0000000000000023494e5445524e414c5f4b45595f42494e44494e475f5354415455535f524551554553541a2b3c4d0000000000000008000000000000000000000000",
            typeName: "INTERNAL_KEY_BINDING_STATUS_REQUEST", sourceId: ejbca, messageId: 8, version: 0,
            frame: { PeerFrame(KeyBindingStatusRequest(), sourceId: ejbca, messageId: 8) }),
        Example(
            name: "2b STATUS_RESPONSE",
            hex: "0000000000000024494e5445524e414c5f4b45595f42494e44494e475f5354415455535f524553504f4e534500c0ffee00000000000003ea00000000000000000000009b00000001010000001841757468656e7469636174696f6e4b657942696e64696e6700000003010000000854535369676e657201000000064143544956450000000003010000000854535369676e65720101000000087369676e4b6579310100000003525341010000000432303438010000002830663165326433633462356136393738383739366135623463336432653166303066316532643363",
            typeName: "INTERNAL_KEY_BINDING_STATUS_RESPONSE", sourceId: signPeer, messageId: 1002, version: 0,
            frame: { PeerFrame(KeyBindingStatusResponse(bindings: [record]), sourceId: signPeer, messageId: 1002) }),
        Example(
            name: "3a PREPARE_RENEWAL",
            hex: "0000000000000024494e5445524e414c5f4b45595f42494e44494e475f505245504152455f52454e4557414c1a2b3c4d00000000000000090000000000000000000000050000000301",
            typeName: "INTERNAL_KEY_BINDING_PREPARE_RENEWAL", sourceId: ejbca, messageId: 9, version: 0,
            frame: { PeerFrame(PrepareRenewal(internalKeyBindingId: 3, renewKeys: true), sourceId: ejbca, messageId: 9) }),
        Example(
            name: "3b PREPARE_RENEWAL_RESPONSE v1",
            hex: "000000000000002d494e5445524e414c5f4b45595f42494e44494e475f505245504152455f52454e4557414c5f524553504f4e534500c0ffee00000000000003eb000000010000000000000012000000030101000000043002050000000001",
            typeName: "INTERNAL_KEY_BINDING_PREPARE_RENEWAL_RESPONSE", sourceId: signPeer, messageId: 1003, version: 1,
            frame: {
                PeerFrame(
                    PrepareRenewalResponse(
                        internalKeyBindingId: 3, keysRenewed: true, certificationRequest: [0x30, 0x02, 0x05, 0x00],
                        preferredEncoding: .pemCertificates), sourceId: signPeer, messageId: 1003)
            }),
        Example(
            name: "4a UPDATE v1 PEM",
            hex: "000000000000001b494e5445524e414c5f4b45595f42494e44494e475f5550444154451a2b3c4d000000000000000a00000001000000000000004800000003010000003b2d2d2d2d2d424547494e2043455254494649434154452d2d2d2d2d0a4d41413d0a2d2d2d2d2d454e442043455254494649434154452d2d2d2d2d0a00000001",
            typeName: "INTERNAL_KEY_BINDING_UPDATE", sourceId: ejbca, messageId: 10, version: 1,
            frame: {
                PeerFrame(
                    KeyBindingUpdate(internalKeyBindingId: 3, certificate: pemPlaceholder, encoding: .pemCertificates),
                    sourceId: ejbca, messageId: 10)
            }),
        Example(
            name: "4b UPDATE_RESPONSE",
            hex: "0000000000000024494e5445524e414c5f4b45595f42494e44494e475f5550444154455f524553504f4e534500c0ffee00000000000003ec000000000000000000000000",
            typeName: "INTERNAL_KEY_BINDING_UPDATE_RESPONSE", sourceId: signPeer, messageId: 1004, version: 0,
            frame: { PeerFrame(KeyBindingUpdateResponse(), sourceId: signPeer, messageId: 1004) }),
        Example(
            name: "5a GENERIC_ERROR_RESPONSE",
            hex: "000000000000001647454e455249435f4552524f525f524553504f4e534500c0ffee00000000000003ed000000000000000000000041010000002f6f72672e63657365636f72652e6b657962696e642e4365727469666963617465496d706f7274457863657074696f6e01000000086261642063657274",
            typeName: "GENERIC_ERROR_RESPONSE", sourceId: signPeer, messageId: 1005, version: 0,
            frame: {
                PeerFrame(
                    GenericErrorResponse(
                        exceptionClassName: "org.cesecore.keybind.CertificateImportException", message: "bad cert"),
                    sourceId: signPeer, messageId: 1005)
            }),
        Example(
            name: "5b UNKNOWN_MESSAGE_TYPE_RESPONSE",
            hex: "000000000000001d554e4b4e4f574e5f4d4553534147455f545950455f524553504f4e534500c0ffee00000000000003ef000000000000000000000000",
            typeName: "UNKNOWN_MESSAGE_TYPE_RESPONSE", sourceId: signPeer, messageId: 1007, version: 0,
            frame: { PeerFrame(UnknownMessageTypeResponse(), sourceId: signPeer, messageId: 1007) }),
        Example(
            name: "6a UPDATE v0 DER",
            hex: "000000000000001b494e5445524e414c5f4b45595f42494e44494e475f5550444154451a2b3c4d000000000000000b00000000000000000000000b0000000301000000023000",
            typeName: "INTERNAL_KEY_BINDING_UPDATE", sourceId: ejbca, messageId: 11, version: 0,
            frame: {
                PeerFrame(
                    KeyBindingUpdate(internalKeyBindingId: 3, certificate: [0x30, 0x00], encoding: nil),
                    sourceId: ejbca, messageId: 11)
            }),
        Example(
            name: "7a AUTHORIZATION_CHECK",
            hex: "0000000000000013415554484f52495a4154494f4e5f434845434b1a2b3c4d000000000000000c00000000000000000000000d010000000201000000022f6100",
            typeName: "AUTHORIZATION_CHECK", sourceId: ejbca, messageId: 12, version: 0,
            frame: { PeerFrame(AuthorizationCheck(resources: ["/a", nil]), sourceId: ejbca, messageId: 12) }),
        Example(
            name: "7b AUTHORIZATION_CHECK_RESPONSE",
            hex: "000000000000001c415554484f52495a4154494f4e5f434845434b5f524553504f4e534500c0ffee00000000000003f00000000000000000000000050100000000",
            typeName: "AUTHORIZATION_CHECK_RESPONSE", sourceId: signPeer, messageId: 1008, version: 0,
            frame: { PeerFrame(AuthorizationCheckResponse(authorizedResources: []), sourceId: signPeer, messageId: 1008) }),
    ]

    /// Decodes the example's data section with the typed decoder of its type name and returns
    /// the message re-framed, so tests can compare it with ``Example/frame``.
    static func decodeTyped(_ frame: PeerFrame) throws(PeerProtocolError) -> PeerFrame {
        func again<M: PeerMessage>(_ type: M.Type) throws(PeerProtocolError) -> PeerFrame {
            PeerFrame(try frame.message(as: type), sourceId: frame.sourceId, messageId: frame.messageId)
        }
        switch frame.typeName {
        case Ping.typeName: return try again(Ping.self)
        case PingResponse.typeName: return try again(PingResponse.self)
        case KeyBindingStatusRequest.typeName: return try again(KeyBindingStatusRequest.self)
        case KeyBindingStatusResponse.typeName: return try again(KeyBindingStatusResponse.self)
        case PrepareRenewal.typeName: return try again(PrepareRenewal.self)
        case PrepareRenewalResponse.typeName: return try again(PrepareRenewalResponse.self)
        case KeyBindingUpdate.typeName: return try again(KeyBindingUpdate.self)
        case KeyBindingUpdateResponse.typeName: return try again(KeyBindingUpdateResponse.self)
        case GenericErrorResponse.typeName: return try again(GenericErrorResponse.self)
        case UnknownMessageTypeResponse.typeName: return try again(UnknownMessageTypeResponse.self)
        case AuthorizationCheck.typeName: return try again(AuthorizationCheck.self)
        case AuthorizationCheckResponse.typeName: return try again(AuthorizationCheckResponse.self)
        default: return frame
        }
    }
}

enum Hex {
    static func decode(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map { index in
            UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16)!
        }
    }

    static func encode(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
