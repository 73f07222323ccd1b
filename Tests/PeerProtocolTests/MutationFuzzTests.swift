import SignPeerPeerProtocol
import Testing

/// A bounded, seeded mutation fuzzer in the test suite (the longer libFuzzer run is
/// `Tests/Fuzz/run.sh`): every worked example is mutated — bytes flipped, set to boundary values,
/// inserted, deleted, lengths overwritten with extremes — and fed to the frame decoder and every
/// typed decoder. A trap or an out-of-bounds read fails the run; so does a decoded frame that does
/// not re-encode to a frame decoding to the same value.
@Suite("Peer protocol mutation fuzzing")
struct MutationFuzzTests {
    static let interesting: [[UInt8]] = [
        [0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF], [0x7F, 0xFF, 0xFF, 0xFF], [0x80, 0, 0, 0],
        [0, 0, 0, 0xFA], [0, 0, 0, 0xFB], [0x08, 0, 0, 0], [0x08, 0, 0, 1], [0, 0x02, 0, 0], [0, 0x02, 0, 1],
    ]

    static func mutate(_ input: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1 where !bytes.isEmpty: bytes[position] = [0, 1, 0x7F, 0x80, 0xFF].randomElement(using: &random)!
            case 2: bytes.insert(contentsOf: random.bytes(Int.random(in: 1...8, using: &random)), at: position)
            case 3 where !bytes.isEmpty:
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...8, using: &random)))
            case 4 where bytes.count >= position + 4:
                bytes.replaceSubrange(position..<position + 4, with: interesting.randomElement(using: &random)!)
            case 5: bytes = Array(bytes.prefix(position))
            default: if !bytes.isEmpty { bytes[position] = UInt8.random(in: 0...255, using: &random) }
            }
        }
        return bytes
    }

    /// Decodes as everything; returns whether the frame parsed.
    static func exercise(_ bytes: [UInt8]) -> Bool {
        guard let frame = try? PeerFrame(decoding: bytes) else { return false }
        let typed = try? WorkedExamples.decodeTyped(frame)
        // Every typed decoder on every data section, whatever the frame's name says.
        for name in [
            Ping.typeName, KeyBindingStatusResponse.typeName, PrepareRenewal.typeName, PrepareRenewalResponse.typeName,
            KeyBindingUpdate.typeName, GenericErrorResponse.typeName, AuthorizationCheck.typeName,
            AuthorizationCheckResponse.typeName,
        ] {
            var renamed = frame
            renamed.typeName = name
            _ = try? WorkedExamples.decodeTyped(renamed)
        }
        if let typed, let again = try? typed.encoded() {
            #expect((try? WorkedExamples.decodeTyped(try PeerFrame(decoding: again))) == typed)
        }
        return true
    }

    @Test func mutatedExamplesNeverTrap() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededRandom(seed: seed)
        let deadline = ContinuousClock.now + .seconds(3)
        var iterations = 0, parsed = 0
        let corpus = WorkedExamples.all.map(\.bytes)
        while ContinuousClock.now < deadline || iterations < 20_000 {
            if Self.exercise(Self.mutate(corpus.randomElement(using: &random)!, &random)) { parsed += 1 }
            iterations += 1
            if iterations >= 2_000_000 { break }
        }
        print("mutation fuzzing: seed \(seed), \(iterations) inputs, \(parsed) parsed as frames")
        #expect(iterations >= 20_000)
        #expect(parsed > 0, "seed \(seed)")
    }
}
