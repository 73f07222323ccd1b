import SignPeerPeerProtocol
import Testing

/// The receiver's rules of EJBCA-PEER-PROTOCOL.md §2, one by one.
@Suite("Peer protocol frame rules")
struct FrameRuleTests {
    /// Builds a frame by hand, so the tests can write what the encoder never would.
    static func frame(
        base: Int32 = 0, name: [UInt8] = Array("PING".utf8), nameLength: Int32? = nil, extensionLength: Int32 = 0,
        extensionBytes: [UInt8] = [], dataLength: Int32? = nil, data: [UInt8] = []
    ) -> [UInt8] {
        var writer = PeerDataWriter()
        writer.writeInt(base)
        writer.writeInt(nameLength ?? Int32(name.count))
        writer.writeRaw(name)
        writer.writeInt(0x1A2B_3C4D)
        writer.writeLong(42)
        writer.writeInt(0)
        writer.writeInt(extensionLength)
        writer.writeRaw(extensionBytes)
        writer.writeInt(dataLength ?? Int32(data.count))
        writer.writeRaw(data)
        return writer.bytes
    }

    @Test(arguments: [0, 251, 1000, -1, Int32.min, Int32.max] as [Int32])
    func typeNameLengthOutside1To250IsRefused(_ length: Int32) {
        #expect(throws: PeerProtocolError.typeNameLengthOutOfRange(length)) {
            try PeerFrame(decoding: Self.frame(name: [], nameLength: length))
        }
    }

    @Test(arguments: [1, 250])
    func typeNameLengthsAtTheBoundsAreRead(_ length: Int) throws {
        let name = [UInt8](repeating: UInt8(ascii: "A"), count: length)
        #expect(try PeerFrame(decoding: Self.frame(name: name)).typeName == String(repeating: "A", count: length))
    }

    @Test func aPositiveHeaderExtensionIsSkipped() throws {
        let frame = try PeerFrame(
            decoding: Self.frame(extensionLength: 3, extensionBytes: [9, 9, 9], data: [1, 2]))
        #expect(frame.data == [1, 2])
        #expect(frame.messageId == 42)
    }

    @Test func aNegativeHeaderExtensionLengthMeansNone() throws {
        #expect(try PeerFrame(decoding: Self.frame(extensionLength: -5, data: [7])).data == [7])
    }

    @Test func aHeaderExtensionOver128MiBOrPastTheEndIsRefused() {
        #expect(throws: PeerProtocolError.headerExtensionTooLong(134_217_729)) {
            try PeerFrame(decoding: Self.frame(extensionLength: 134_217_729))
        }
        #expect(throws: PeerProtocolError.self) {
            try PeerFrame(decoding: Self.frame(extensionLength: 134_217_728))
        }
    }

    @Test(arguments: [(1, [UInt8]()), (0, [1]), (-1, [UInt8]()), (Int32.max, [1, 2])] as [(Int32, [UInt8])])
    func theDataLengthMustBeExactlyTheRest(_ declared: Int32, _ data: [UInt8]) {
        #expect(throws: PeerProtocolError.dataLengthMismatch(declared: declared, remaining: data.count)) {
            try PeerFrame(decoding: Self.frame(dataLength: declared, data: data))
        }
    }

    @Test(arguments: [1, -1, 7, Int32.min] as [Int32])
    func theBaseVersionIsNotEnforced(_ base: Int32) throws {
        #expect(try PeerFrame(decoding: Self.frame(base: base)).baseVersion == base)
    }

    @Test func malformedUTF8InTheTypeNameIsNotAFormatError() throws {
        let frame = try PeerFrame(decoding: Self.frame(name: [0x50, 0xFF, 0x47]))
        #expect(frame.typeName == "P\u{FFFD}G")
    }

    @Test func encodingRefusesTypeNamesThatCannotBeRead() {
        #expect(throws: PeerProtocolError.invalidTypeName(length: 0)) {
            try PeerFrame(typeName: "", sourceId: 1, messageId: 1).encoded()
        }
        #expect(throws: PeerProtocolError.invalidTypeName(length: 251)) {
            try PeerFrame(typeName: String(repeating: "X", count: 251), sourceId: 1, messageId: 1).encoded()
        }
    }

    @Test func aTypedDecoderRefusesAnotherType() throws {
        let frame = try PeerFrame(decoding: Self.frame())
        #expect(throws: PeerProtocolError.unexpectedMessageType(expected: "INTERNAL_KEY_BINDING_UPDATE", actual: "PING")) {
            try frame.message(as: KeyBindingUpdate.self)
        }
    }
}

/// The data-section encodings of EJBCA-PEER-PROTOCOL.md §2.2.
@Suite("Peer protocol data rules")
struct DataRuleTests {
    static func reader(_ bytes: [UInt8]) -> PeerDataReader { PeerDataReader(bytes) }

    @Test func anyNonZeroFlagMeansPresentAndOnlyZeroMeansNull() throws {
        var reader = Self.reader([0x00, 0x7F, 0, 0, 0, 1, 0x41, 0x01, 0, 0, 0, 0])
        #expect(try reader.readString("a") == nil)
        #expect(try reader.readString("b") == "A")
        #expect(try reader.readBytes("c") == [])
        #expect(reader.remaining == 0)
    }

    @Test(arguments: [(0x01, true), (0x00, false), (0x02, false), (0xFF, false)] as [(UInt8, Bool)])
    func onlyOneReadsAsTrue(_ byte: UInt8, _ value: Bool) throws {
        var reader = Self.reader([byte])
        #expect(try reader.readBoolean("flag") == value)
    }

    @Test(arguments: [-1, 134_217_729, Int32.max, Int32.min] as [Int32])
    func lengthsOutsideTheLimitAreRefusedBeforeAnyAllocation(_ length: Int32) {
        var writer = PeerDataWriter()
        writer.writeBoolean(true)
        writer.writeInt(length)
        var reader = Self.reader(writer.bytes)
        #expect(throws: PeerProtocolError.lengthOutOfRange(field: "csr", length: length)) { try reader.readBytes("csr") }
    }

    @Test func aLengthWithinTheLimitButPastTheEndIsTruncated() {
        var reader = Self.reader([1, 0x08, 0, 0, 0, 1, 2])
        #expect(throws: PeerProtocolError.truncated(field: "csr", needed: 134_217_728, available: 2)) {
            try reader.readBytes("csr")
        }
    }

    @Test(arguments: [-1, 131_073, Int32.max] as [Int32])
    func listCountsOutsideTheLimitAreRefused(_ count: Int32) {
        var writer = PeerDataWriter()
        writer.writeBoolean(true)
        writer.writeInt(count)
        var reader = Self.reader(writer.bytes)
        #expect(throws: PeerProtocolError.countOutOfRange(field: "list", count: count)) { try reader.readStringList("list") }
    }

    @Test func aNullListIsDistinctFromAnEmptyOne() throws {
        var reader = Self.reader([0x00, 0x01, 0, 0, 0, 0])
        #expect(try reader.readStringList("a") == nil)
        #expect(try reader.readStringList("b") == [])
    }

    @Test func integersAreBigEndianTwosComplement() throws {
        var reader = Self.reader([0xFF, 0xFF, 0xFF, 0xFE, 0x80, 0, 0, 0, 0, 0, 0, 1])
        #expect(try reader.readInt("i") == -2)
        #expect(try reader.readLong("l") == Int64.min + 1)
        var writer = PeerDataWriter()
        writer.writeInt(-2)
        writer.writeLong(Int64.min + 1)
        #expect(writer.bytes == [0xFF, 0xFF, 0xFF, 0xFE, 0x80, 0, 0, 0, 0, 0, 0, 1])
    }

    @Test func trailingDataIsIgnoredByTypedDecoders() throws {
        var writer = PeerDataWriter()
        PrepareRenewal(internalKeyBindingId: 5, renewKeys: false).write(to: &writer)
        writer.writeRaw([1, 2, 3])
        let frame = PeerFrame(typeName: PrepareRenewal.typeName, sourceId: 1, messageId: 1, data: writer.bytes)
        #expect(try frame.message(as: PrepareRenewal.self) == PrepareRenewal(internalKeyBindingId: 5, renewKeys: false))
    }

    @Test(arguments: [1, 2, -1, 99] as [Int32])
    func everyUpdateVersionButZeroCarriesTheEncoding(_ version: Int32) throws {
        var writer = PeerDataWriter()
        writer.writeInt(3)
        writer.writeBytes([0x30, 0x00])
        writer.writeInt(7)
        let frame = PeerFrame(
            typeName: KeyBindingUpdate.typeName, sourceId: 1, messageId: 1, version: version, data: writer.bytes)
        let update = try frame.message(as: KeyBindingUpdate.self)
        #expect(update.encoding == .unknown(7))
        #expect(update.effectiveEncoding == .unknown(7))
    }

    @Test func aVersionZeroUpdateIsOneDERCertificateAndReadsNoEncoding() throws {
        let frame = PeerFrame(
            typeName: KeyBindingUpdate.typeName, sourceId: 1, messageId: 1, version: 0,
            data: [0, 0, 0, 3, 1, 0, 0, 0, 2, 0x30, 0x00])
        let update = try frame.message(as: KeyBindingUpdate.self)
        #expect(update.encoding == nil)
        #expect(update.effectiveEncoding == .binaryCertificate)
    }

    @Test func aVersionZeroPrepareRenewalResponseHasNoPreference() throws {
        let frame = PeerFrame(
            typeName: PrepareRenewalResponse.typeName, sourceId: 1, messageId: 1, version: 0,
            data: [0, 0, 0, 3, 1, 0])
        #expect(try frame.message(as: PrepareRenewalResponse.self)
            == PrepareRenewalResponse(internalKeyBindingId: 3, keysRenewed: true, certificationRequest: nil, preferredEncoding: nil))
    }

    @Test func aNegativeBindingCountIsRefused() {
        let frame = PeerFrame(typeName: KeyBindingStatusResponse.typeName, sourceId: 1, messageId: 1, data: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: PeerProtocolError.countOutOfRange(field: "binding count", count: -1)) {
            try frame.message(as: KeyBindingStatusResponse.self)
        }
    }

    @Test func aHugeBindingCountEndsInTruncationNotAllocation() {
        let frame = PeerFrame(typeName: KeyBindingStatusResponse.typeName, sourceId: 1, messageId: 1, data: [0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: PeerProtocolError.self) { try frame.message(as: KeyBindingStatusResponse.self) }
    }
}
