import SignPeerCore
import SignPeerTestSupport
import Testing

/// The lexical layer against the table of `Properties.load` cases (``javaPropertiesCases``),
/// which `JavaPropertiesOracleTests` checks against the real JDK.
struct JavaPropertiesTests {
    @Test(arguments: javaPropertiesCases)
    func parsesLikeJavaUtilProperties(_ testCase: JavaPropertiesCase) {
        let text = JavaProperties.decode(testCase.bytes)
        switch testCase.expected {
        case .entries(let expected):
            #expect(throws: Never.self) { try JavaProperties.entries(text) }
            #expect((try? JavaProperties.entries(text)) == expected)
        case .error(let line):
            #expect {
                try JavaProperties.entries(text)
            } throws: { error in
                let error = error as? SignPeerError
                return error?.code == .invalidProperty && error?.message.hasPrefix("Line \(line): ") == true
            }
        }
    }

    @Test func decodesUTF8AndFallsBackToLatin1() {
        #expect(JavaProperties.decode(Array("GLOB.X=\u{E9}\n".utf8)) == "GLOB.X=\u{E9}\n")
        #expect(JavaProperties.decode([0x41, 0x3D, 0xE9]) == "A=\u{E9}")
        // Valid UTF-8 is never read as Latin-1, even when it could be.
        #expect(JavaProperties.decode([0xC3, 0xA9]) == "\u{E9}")
        #expect(JavaProperties.decode([]) == "")
    }

    @Test func errorsNameThePhysicalLineOfTheEscape() throws {
        let text = "# header\nWORKERGENID1.ATTRIBUTES=one\\\n  two\\\n  thr\\uZZZZee\n"
        #expect(throws: SignPeerError(.invalidProperty, "Line 4: malformed \\uxxxx encoding.")) {
            try JavaProperties.entries(text)
        }
    }
}
