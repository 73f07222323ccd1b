import SignPeerCore
import Testing

/// The SignPeer meaning of property-file keys (SPEC §9.1), on top of the Java syntax.
struct PropertyFileTests {
    typealias Operation = PropertyFile.Operation

    @Test(arguments: [
        ("WORKERGENID1.NAME=Signer", Operation(line: 1, target: .generated(1), property: "NAME", value: "Signer")),
        ("workergenid7.keyalg RSA", Operation(line: 1, target: .generated(7), property: "KEYALG", value: "RSA")),
        ("WORKER309.TYPE:PROCESSABLE", Operation(line: 1, target: .worker("309"), property: "TYPE", value: "PROCESSABLE")),
        ("WORKERDemoSigner.defaultkey = k1", Operation(line: 1, target: .worker("DemoSigner"), property: "DEFAULTKEY", value: "k1")),
        ("-WORKER5.DEFAULTKEY", Operation(line: 1, target: .worker("5"), property: "DEFAULTKEY", value: nil)),
        ("-WORKER5.DEFAULTKEY=ignored", Operation(line: 1, target: .worker("5"), property: "DEFAULTKEY", value: nil)),
        ("GLOB.PEERS_INCOMING_ENABLED=true", Operation(line: 1, target: .global, property: "PEERS_INCOMING_ENABLED", value: "true")),
        ("-GLOB.X", Operation(line: 1, target: .global, property: "X", value: nil)),
        ("WORKER1.SIGNERCERT=abc", Operation(line: 1, target: .worker("1"), property: "SIGNERCERTIFICATE", value: "abc")),
        ("WORKER1.AUTHTYPE=", Operation(line: 1, target: .worker("1"), property: "AUTHTYPE", value: "")),
        ("WORKER1.DESCRIPTION=  two  spaces  ", Operation(line: 1, target: .worker("1"), property: "DESCRIPTION", value: "two  spaces  ")),
        ("WORKER\\u0031.NAME=Escaped", Operation(line: 1, target: .worker("1"), property: "NAME", value: "Escaped")),
    ])
    func readsTheKeys(line: String, expected: Operation) throws {
        #expect(try PropertyFile(parsing: line).operations == [expected])
    }

    @Test(arguments: [
        ("# comment\nthis is not a property line", "Line 2: expected WORKER<id or name>.<PROPERTY>"),
        ("GLOB.=x", "Line 1: invalid property name ''"),
        ("-GLOB", "Line 1: expected"),
        ("\n\nWORKER1.BAD\\ NAME=x", "Line 3: invalid property name 'BAD NAME'"),
        ("-WORKERGENID1.NAME", "Line 1: WORKERGENID needs a number and a value"),
        ("WORKERGENIDx.NAME=a", "Line 1: WORKERGENID needs a number and a value"),
        ("WORKER.NAME=a", "Line 1: unknown target 'WORKER'"),
        ("WORKERa/b.NAME=a", "Line 1: invalid worker reference 'a/b'"),
        ("SOMETHING.NAME=a", "Line 1: unknown target 'SOMETHING'"),
        ("ok.x=1\nWORKER1.A=\\u12", "Line 2: malformed \\uxxxx encoding."),
    ])
    func refusesBadLinesWithThePhysicalLineNumber(text: String, message: String) {
        #expect {
            try PropertyFile(parsing: text)
        } throws: { error in
            (error as? SignPeerError)?.code == .invalidProperty && (error as? SignPeerError)?.message.hasPrefix(message) == true
        }
    }

    @Test func continuedLinesKeepTheFirstLineNumber() throws {
        let file = try PropertyFile(
            parsing: "WORKERGENID1.TYPE=PROCESSABLE\nWORKERGENID1.ATTRIBUTES=a = {\\\n  b\\\n}\nWORKERGENID1.NAME=X\n")
        #expect(file.operations.map(\.line) == [1, 2, 5])
        #expect(file.operations[1].value == "a = {b}")
    }

    @Test func refusesFilesOverOneMebibyte() {
        #expect(throws: SignPeerError(.requestTooLarge, "The property file is larger than 1 MiB.")) {
            try PropertyFile(parsing: String(repeating: "#", count: PropertyFile.maximumSize + 1))
        }
    }
}
