import SignPeerCore
import Testing

@Suite struct SerialNumberTests {
    @Test(arguments: [
        ("ABCDEF", "abcdef"),
        ("00abcdef", "abcdef"),
        ("00:AB:CD:EF", "abcdef"),
        ("00 ab cd ef", "abcdef"),
        ("0xABCDEF", "abcdef"),
        ("0X00ab:cdef", "abcdef"),
        ("  1f  ", "1f"),
        ("0", "0"),
        ("0000", "0"),
        ("0x0", "0"),
        (String(repeating: "f", count: 80), String(repeating: "f", count: 80)),
    ])
    func normalizes(_ input: String, _ expected: String) throws {
        #expect(try SerialNumber.normalize(input) == expected)
    }

    @Test(arguments: [
        ("", "empty"),
        ("   ", "empty"),
        ("0x", "no hex digits"),
        (":", "no hex digits"),
        ("12g4", "'g'"),
        ("-12", "'-'"),
        ("1.5", "'.'"),
        (String(repeating: "1", count: 81), "longer than 80"),
    ])
    func rejects(_ input: String, _ problem: String) {
        #expect {
            try SerialNumber.normalize(input)
        } throws: { error in
            guard let error = error as? SignPeerError else { return false }
            return error.code == .invalidSerialNumber && error.message.contains(problem)
        }
    }

    @Test func fromBigEndianBytes() {
        #expect(SerialNumber.fromBigEndianBytes([0x00, 0x80, 0x0A]) == "800a")
        #expect(SerialNumber.fromBigEndianBytes([0x0F]) == "f")
        #expect(SerialNumber.fromBigEndianBytes([0, 0]) == "0")
        #expect(SerialNumber.fromBigEndianBytes([]) == "0")
    }
}
