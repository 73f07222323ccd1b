@testable import SignPeerCLI
import Testing

@Suite struct RuleArgumentsTests {
    private func parse(_ arguments: [String]) throws -> RuleArguments {
        try RuleArguments.parse(arguments, command: "wsadmins")
    }

    @Test func list() throws {
        #expect(try parse(["-list"]) == .list)
        #expect(try parse(["-LIST"]) == .list)
    }

    @Test func addBySerialAndIssuer() throws {
        #expect(
            try parse(["-add", "-certserialno", "0A1B", "-issuerdn", "CN=Demo CA, O=Demo"])
                == .add(serialNumber: "0A1B", issuerDN: "CN=Demo CA, O=Demo"))
        #expect(
            try parse(["-issuerdn", "CN=CA", "-certserialno", "1", "-add"]) == .add(serialNumber: "1", issuerDN: "CN=CA"))
        #expect(
            try parse(["-add", "-certSerialNo", " 1 ", "-issuerDN", " CN=CA "]) == .add(serialNumber: "1", issuerDN: "CN=CA"))
    }

    @Test func addByCertificate() throws {
        #expect(try parse(["-add", "-cert", "admin.pem"]) == .addCertificate(file: "admin.pem"))
    }

    @Test func remove() throws {
        #expect(
            try parse(["-remove", "-certserialno", "ff", "-issuerdn", "CN=CA"])
                == .remove(serialNumber: "ff", issuerDN: "CN=CA"))
    }

    @Test(arguments: [
        ([], "one of -add, -remove or -list is required"),
        (["-list", "-add"], "-list and -add conflict"),
        (["-add", "-remove", "-certserialno", "1", "-issuerdn", "CN=CA"], "-add and -remove conflict"),
        (["-list", "-list"], "-list given twice"),
        (["-list", "-certserialno", "1"], "-list takes no other option"),
        (["-list", "extra"], "unexpected argument 'extra'"),
        (["-add"], "-add needs -certserialno and -issuerdn, or -cert"),
        (["-add", "-certserialno", "1"], "-add needs -certserialno and -issuerdn, or -cert"),
        (["-add", "-issuerdn", "CN=CA"], "-add needs -certserialno and -issuerdn, or -cert"),
        (["-add", "-cert", "a.pem", "-issuerdn", "CN=CA"], "-cert cannot be combined with -certserialno or -issuerdn"),
        (["-remove", "-cert", "a.pem"], "-remove takes -certserialno and -issuerdn, not -cert"),
        (["-remove", "-certserialno", "1"], "-remove needs -certserialno and -issuerdn"),
        (["-add", "-certserialno"], "-certserialno needs a value"),
        (["-add", "-certserialno", "-issuerdn", "CN=CA"], "-certserialno needs a value"),
        (["-add", "-certserialno", " ", "-issuerdn", "CN=CA"], "-certserialno needs a value"),
        (["-add", "-certserialno", "1", "-certserialno", "2", "-issuerdn", "CN=CA"], "-certserialno given twice"),
        (["-add", "--cert", "a.pem"], "unexpected argument '--cert'"),
    ])
    func usageErrors(_ arguments: [String], _ problem: String) {
        #expect(throws: CLIError.usage(problem, RuleArguments.usage("wsadmins"))) { try parse(arguments) }
    }

    @Test func usageErrorIsOneLineWithExitStatus64() {
        let error = CLIError.usage("-add needs a value", RuleArguments.usage("wspeersystems"))
        #expect(error.exitCode == 64)
        #expect(!error.description.contains("\n"))
        #expect(
            error.description
                == "-add needs a value (usage: signpeer wspeersystems -add -certserialno <hex> -issuerdn <dn>"
                + " | -add -cert <file> | -remove -certserialno <hex> -issuerdn <dn> | -list)")
    }
}
