import SignPeerCore
import Testing

/// SPEC §3: a property that is only whitespace counts as absent, and values are compared trimmed.
struct PropertyValueTests {
    @Test(arguments: [
        ("", ""), ("abc", "abc"), ("  abc", "abc"), ("abc \t\r\n", "abc"), (" a b ", "a b"), ("\u{00A0}x\u{2003}", "x"),
        (" \n\t ", ""), ("é", "é"),
    ])
    func trimmingRemovesOnlyLeadingAndTrailingWhitespace(value: String, trimmed: String) {
        #expect(value.trimmingWhitespace() == trimmed)
        #expect(value[...].trimmingWhitespace() == trimmed)
    }

    @Test func absentMeansUnsetOrOnlyWhitespace() {
        #expect(PropertyName.isAbsent(nil))
        #expect(PropertyName.isAbsent(""))
        #expect(PropertyName.isAbsent(" \t\r\n"))
        #expect(!PropertyName.isAbsent(" x "))
        let chain = String(repeating: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", count: 50)
        #expect(!PropertyName.isAbsent(chain))
        let worker = WorkerRecord(id: 1, name: "W", type: .processable, properties: ["A": "  ", "B": " v "])
        #expect(worker.value("A") == nil)
        #expect(worker.value("B") == " v ")
    }
}
