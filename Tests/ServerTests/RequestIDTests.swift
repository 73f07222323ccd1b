import Hummingbird
import Testing

@testable import SignPeerServer

/// Request ids travel into every log line: only short ids of safe characters are kept.
struct RequestIDTests {
    @Test(arguments: ["abc", "A-b_c.9", String(repeating: "x", count: 64)])
    func safeIDsAreKept(id: String) {
        #expect(RequestIDs.acceptable(id) == id)
    }

    @Test(arguments: ["", String(repeating: "x", count: 65), "a b", "a\nb", "ä", "a=b", "a\"b"])
    func otherIDsAreReplaced(id: String) {
        #expect(RequestIDs.acceptable(id) == nil)
    }

    @Test func madeIDsAre32HexDigitsAndDiffer() {
        let first = RequestIDs.next()
        #expect(first.count == 32 && first.allSatisfy(\.isHexDigit))
        #expect(first != RequestIDs.next())
        #expect(RequestIDs.acceptable(first) == first)
    }
}
