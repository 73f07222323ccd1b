@testable import SignPeerCLI
import Testing

@Suite struct IncomingPeersArgumentsTests {
    @Test func forms() throws {
        #expect(try IncomingPeersArguments.parse(["-list"]) == .list)
        #expect(
            try IncomingPeersArguments.parse(["-clear", "1a", "CN=Peer CA, O=Demo"])
                == .clear(serialNumber: "1a", issuerDN: "CN=Peer CA, O=Demo"))
        #expect(
            try IncomingPeersArguments.parse(["-Authorize", "1a", "CN=CA"])
                == .authorize(serialNumber: "1a", issuerDN: "CN=CA"))
    }

    @Test(arguments: [
        ([], "one of -list, -clear or -authorize is required"),
        (["-list", "x"], "-list takes no arguments"),
        (["-clear", "1a"], "-clear needs <serial> <issuerdn>"),
        (["-authorize"], "-authorize needs <serial> <issuerdn>"),
        (["-authorize", "1a", "CN=CA", "extra"], "-authorize needs <serial> <issuerdn>"),
        (["-clear", "1a", " "], "-clear needs <serial> <issuerdn>"),
        (["-clear", "-list", "CN=CA"], "unexpected option '-list'"),
        (["-remove"], "unexpected argument '-remove'"),
    ])
    func usageErrors(_ arguments: [String], _ problem: String) {
        #expect(throws: CLIError.usage(problem, IncomingPeersArguments.usage)) {
            try IncomingPeersArguments.parse(arguments)
        }
    }
}
