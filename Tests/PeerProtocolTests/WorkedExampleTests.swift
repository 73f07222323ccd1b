import SignPeerPeerProtocol
import Testing

/// Every worked example of EJBCA-PEER-PROTOCOL.md §5, in both directions and cut short at every
/// offset.
@Suite("Peer protocol worked examples")
struct WorkedExampleTests {
    @Test(arguments: WorkedExamples.all)
    func decodesToTheDocumentedHeader(_ example: WorkedExamples.Example) throws {
        let frame = try PeerFrame(decoding: example.bytes)
        #expect(frame.baseVersion == 0)
        #expect(frame.typeName == example.typeName)
        #expect(frame.sourceId == example.sourceId)
        #expect(frame.messageId == example.messageId)
        #expect(frame.version == example.version)
        #expect(frame.data.count == example.bytes.count - 32 - example.typeName.utf8.count)
    }

    @Test(arguments: WorkedExamples.all)
    func typedValuesEncodeToTheDocumentedBytes(_ example: WorkedExamples.Example) throws {
        #expect(Hex.encode(try example.frame().encoded()) == example.hex)
    }

    @Test(arguments: WorkedExamples.all)
    func typedDecodingGivesTheDocumentedValues(_ example: WorkedExamples.Example) throws {
        let decoded = try WorkedExamples.decodeTyped(try PeerFrame(decoding: example.bytes))
        #expect(decoded == example.frame())
        #expect(Hex.encode(try decoded.encoded()) == example.hex)
    }

    @Test(arguments: WorkedExamples.all)
    func everyTruncatedFrameIsRefused(_ example: WorkedExamples.Example) {
        let bytes = example.bytes
        for length in 0..<bytes.count {
            #expect(throws: PeerProtocolError.self, "\(example.name) cut at \(length)") {
                try PeerFrame(decoding: Array(bytes[..<length]))
            }
        }
    }

    /// The data section cut at every offset, with the frame's data length adjusted so the frame
    /// itself is well formed: the typed decoder must refuse every prefix, because each example's
    /// data holds exactly the fields its type and version need.
    @Test(arguments: WorkedExamples.all.filter { !$0.frame().data.isEmpty })
    func everyTruncatedDataSectionIsRefused(_ example: WorkedExamples.Example) throws {
        let full = try PeerFrame(decoding: example.bytes)
        for length in 0..<full.data.count {
            var cut = full
            cut.data = Array(full.data[..<length])
            let reparsed = try PeerFrame(decoding: try cut.encoded())
            #expect(throws: PeerProtocolError.self, "\(example.name) data cut at \(length)") {
                try WorkedExamples.decodeTyped(reparsed)
            }
        }
    }

    @Test func errorsNameTheFieldThatWasCut() throws {
        let frame = try PeerFrame(decoding: WorkedExamples.all[4].bytes)  // 3a
        var cut = frame
        cut.data = Array(frame.data.prefix(4))
        #expect(throws: PeerProtocolError.truncated(field: "renewKeys", needed: 1, available: 0)) {
            try cut.message(as: PrepareRenewal.self)
        }
        #expect(throws: PeerProtocolError.truncated(field: "base version", needed: 4, available: 3)) {
            try PeerFrame(decoding: [0, 0, 0])
        }
    }
}
