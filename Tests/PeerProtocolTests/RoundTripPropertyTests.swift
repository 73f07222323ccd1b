import SignPeerPeerProtocol
import Testing

/// Property: every message value survives encode → decode unchanged, for generated values of
/// every type (seeded, so a failure names the seed that reproduces it).
@Suite("Peer protocol round trips")
struct RoundTripPropertyTests {
    static let seeds: [UInt64] = [1, 2, 3, 0xC0FFEE, 0x1A2B_3C4D, 20_261_201]

    static func roundTrip<M: PeerMessage>(_ message: M, _ random: inout SeededRandom) throws -> M {
        let sourceId = random.int32(), messageId = Int64.random(in: .min ... .max, using: &random)
        let bytes = try PeerFrame(message, sourceId: sourceId, messageId: messageId).encoded()
        let frame = try PeerFrame(decoding: bytes)
        #expect(frame.sourceId == sourceId && frame.messageId == messageId && frame.version == message.version)
        #expect(try frame.encoded() == bytes)
        return try frame.message(as: M.self)
    }

    static func encoding(_ choice: CertificateEncodingChoice) -> CertificateEncoding? {
        choice.map(CertificateEncoding.init(rawValue:))
    }

    @Test(arguments: seeds)
    func everyMessageTypeRoundTrips(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        for _ in 0..<300 {
            let record = KeyBindingStatusRecord(
                type: random.optionalString(), id: random.int32(), name: random.optionalString(),
                status: random.optionalString(), certificateFingerprint: random.optionalString(),
                cryptoTokenId: random.int32(), cryptoTokenName: random.optionalString(),
                cryptoTokenActive: Bool.random(using: &random), keyAlias: random.optionalString(),
                keyAlgorithm: random.optionalString(), keySpecification: random.optionalString(),
                subjectKeyId: random.optionalString())
            let status = KeyBindingStatusResponse(
                bindings: (0..<Int.random(in: 0...4, using: &random)).map { _ in record })
            #expect(try Self.roundTrip(status, &random) == status, "seed \(seed)")

            let renewal = PrepareRenewal(internalKeyBindingId: random.int32(), renewKeys: Bool.random(using: &random))
            #expect(try Self.roundTrip(renewal, &random) == renewal, "seed \(seed)")

            let csr: [UInt8]? = Bool.random(using: &random) ? random.bytes(Int.random(in: 0...300, using: &random)) : nil
            let renewalResponse = PrepareRenewalResponse(
                internalKeyBindingId: random.int32(), keysRenewed: Bool.random(using: &random), certificationRequest: csr,
                preferredEncoding: Self.encoding(random.encoding()))
            #expect(try Self.roundTrip(renewalResponse, &random) == renewalResponse, "seed \(seed)")

            let update = KeyBindingUpdate(
                internalKeyBindingId: random.int32(), certificate: csr, encoding: Self.encoding(random.encoding()))
            #expect(try Self.roundTrip(update, &random) == update, "seed \(seed)")

            let error = GenericErrorResponse(exceptionClassName: random.optionalString(), message: random.optionalString())
            #expect(try Self.roundTrip(error, &random) == error, "seed \(seed)")

            let list: [String?]? = Bool.random(using: &random)
                ? (0..<Int.random(in: 0...5, using: &random)).map { _ in random.optionalString() } : nil
            #expect(try Self.roundTrip(AuthorizationCheck(resources: list), &random) == AuthorizationCheck(resources: list))
            #expect(try Self.roundTrip(AuthorizationCheckResponse(authorizedResources: list), &random)
                == AuthorizationCheckResponse(authorizedResources: list))
        }
        #expect(try Self.roundTrip(Ping(), &random) == Ping())
        #expect(try Self.roundTrip(PingResponse(), &random) == PingResponse())
        #expect(try Self.roundTrip(KeyBindingStatusRequest(), &random) == KeyBindingStatusRequest())
        #expect(try Self.roundTrip(KeyBindingUpdateResponse(), &random) == KeyBindingUpdateResponse())
        #expect(try Self.roundTrip(UnknownMessageTypeResponse(), &random) == UnknownMessageTypeResponse())
    }

    @Test(arguments: seeds)
    func framesWithAnyHeaderValuesRoundTrip(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        for _ in 0..<500 {
            let name = random.bytes(Int.random(in: 1...250, using: &random)).map { $0 % 26 + 65 }
            let frame = PeerFrame(
                typeName: String(decoding: name, as: UTF8.self), sourceId: random.int32(),
                messageId: Int64.random(in: .min ... .max, using: &random), version: random.int32(),
                data: random.bytes(Int.random(in: 0...200, using: &random)), baseVersion: random.int32())
            #expect(try PeerFrame(decoding: try frame.encoded()) == frame, "seed \(seed)")
        }
    }
}
