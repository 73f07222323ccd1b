import SignPeerCore
import Testing

struct NextKeyAliasTests {
    @Test(arguments: [
        ("signKey00001", "signKey00002"), ("signKey00009", "signKey00010"), ("k99", "k100"), ("key", "key2"),
        ("12345", "123452"), ("a0", "a1"), ("a099", "a100"), ("x999", "x1000"),
    ])
    func incrementsTrailingDigitsKeepingTheirWidth(current: String, expected: String) {
        #expect(NextKeyAlias.next(after: current, taken: []) == expected)
    }

    @Test func skipsAliasesTakenInTheToken() {
        #expect(NextKeyAlias.next(after: "signKey00001", taken: ["signKey00002", "signKey00003"]) == "signKey00004")
    }

    @Test func aWorkerWithoutDefaultKeyStartsFromKey() {
        #expect(NextKeyAlias.next(after: nil, taken: []) == "key2")
    }
}
