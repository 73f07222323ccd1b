import SignPeerCore

/// One property file and what `java.util.Properties.load` makes of it, as the ordered entries
/// of ``JavaProperties`` (with the physical line of each) or as an error on a physical line.
/// Shared by the parser's unit tests and by the test that checks every case against the real JDK.
public struct JavaPropertiesCase: Sendable, CustomStringConvertible {
    public enum Expected: Sendable, Equatable {
        case entries([JavaProperties.Entry])
        case error(line: Int)
    }

    public var name: String
    public var bytes: [UInt8]
    public var expected: Expected
    /// Whether `java.util.Properties` gives the same (false only for SignPeer's documented
    /// deviations).
    public var sameInJava: Bool

    public var description: String { name }

    init(_ name: String, _ text: String, _ entries: [(String, String, Int)], sameInJava: Bool = true) {
        self.init(name, bytes: Array(text.utf8), entries, sameInJava: sameInJava)
    }

    init(_ name: String, bytes: [UInt8], _ entries: [(String, String, Int)], sameInJava: Bool = true) {
        self.name = name
        self.bytes = bytes
        self.expected = .entries(entries.map { JavaProperties.Entry(key: $0.0, value: $0.1, line: $0.2) })
        self.sameInJava = sameInJava
    }

    init(_ name: String, _ text: String, errorOnLine line: Int, sameInJava: Bool = true) {
        self.name = name
        self.bytes = Array(text.utf8)
        self.expected = .error(line: line)
        self.sameInJava = sameInJava
    }

    /// The key/value map Java's `Hashtable` ends up with: the last entry of a key wins.
    public var expectedMap: [String: String]? {
        guard case .entries(let entries) = expected else { return nil }
        return Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }
}

/// The cases, written from the rules of `Properties.load` (Java 17). In the Swift literals a
/// real line end is written `\n`; a backslash of the file is written `\\`.
public let javaPropertiesCases: [JavaPropertiesCase] = [
    // Separators and the whitespace around them.
    .init("equals", "a=b", [("a", "b", 1)]),
    .init("colon", "a:b", [("a", "b", 1)]),
    .init("space", "a b", [("a", "b", 1)]),
    .init("tab and form feed", "a\tb\nc\u{0C}d", [("a", "b", 1), ("c", "d", 2)]),
    .init("spaces around equals", "a  =  b", [("a", "b", 1)]),
    .init("tabs around colon", "a\t:\tb", [("a", "b", 1)]),
    .init("only the first separator", "a = = b", [("a", "= b", 1)]),
    .init("equals after equals", "a==b", [("a", "=b", 1)]),
    .init("equals after colon", "a:=b", [("a", "=b", 1)]),
    .init("separators in the value", "REQUESTDN=CN=Demo: A,O=X", [("REQUESTDN", "CN=Demo: A,O=X", 1)]),
    .init("trailing whitespace kept", "a=b  ", [("a", "b  ", 1)]),
    .init("leading whitespace skipped", "   \t a=b", [("a", "b", 1)]),
    .init("key alone", "a", [("a", "", 1)]),
    .init("key and separator", "a=", [("a", "", 1)]),
    .init("key and whitespace", "a   ", [("a", "", 1)]),
    .init("empty key", "=b", [("", "b", 1)]),

    // Comments and blank lines; line numbers are physical lines.
    .init("comments", "# one\n! two\na=b\n   # three", [("a", "b", 3)]),
    .init("hash inside a value", "a=b # not a comment", [("a", "b # not a comment", 1)]),
    .init("bang inside a key", "a!b", [("a!b", "", 1)]),
    .init("blank lines count", "\n\n \t\na=b\n\nc=d\n", [("a", "b", 4), ("c", "d", 6)]),
    .init("empty file", "", []),
    .init("only comments", "#a=b\n!c=d\n", []),
    .init("a comment does not continue", "# comment \\\na=b", [("a", "b", 2)]),

    // Line ends.
    .init("CRLF", "a=b\r\nc=d\r\n", [("a", "b", 1), ("c", "d", 2)]),
    .init("CR", "a=b\rc=d", [("a", "b", 1), ("c", "d", 2)]),
    .init("mixed line ends", "a=1\r\n\rb=2\n\r\nc=3", [("a", "1", 1), ("b", "2", 3), ("c", "3", 5)]),

    // Continuation lines.
    .init("continued value", "a=one \\\n    two\nb=c", [("a", "one two", 1), ("b", "c", 3)]),
    .init(
        "continued over three lines", "ATTRIBUTES=attributes(generate,*,*) = {\\\n   CKA_TOKEN = false\\\n}\nx=y",
        [("ATTRIBUTES", "attributes(generate,*,*) = {CKA_TOKEN = false}", 1), ("x", "y", 4)]),
    .init("even backslashes do not continue", "a=x\\\\\nb=y", [("a", "x\\", 1), ("b", "y", 2)]),
    .init("three backslashes continue", "a=x\\\\\\\n  y", [("a", "x\\y", 1)]),
    .init("a continuation starting with hash", "a=b\\\n  #c", [("a", "b#c", 1)]),
    .init("continuation onto a blank line ends", "a=b\\\n\nc=d", [("a", "b", 1), ("c", "d", 3)]),
    .init("continuation onto whitespace ends", "a=b\\\n   \nc=d", [("a", "b", 1), ("c", "d", 3)]),
    .init("backslash at the end of the file", "a=b\\", [("a", "b", 1)]),
    .init("continued CRLF", "a=b\\\r\n  c\r\nd=e", [("a", "bc", 1), ("d", "e", 3)]),
    .init("continued CR", "a=b\\\r  c\rd=e", [("a", "bc", 1), ("d", "e", 3)]),
    .init("continued key", "WORKER\\\n  1.NAME=x", [("WORKER1.NAME", "x", 1)]),
    .init("separator after a continuation", "a \\\n  b", [("a", "b", 1)]),
    .init("a line of one backslash, then a comment", "\\\n#x=y\nz=1", [("z", "1", 3)]),

    // Escapes.
    .init("control escapes", "a=\\t\\n\\r\\f\\\\", [("a", "\t\n\r\u{0C}\\", 1)]),
    .init("escaped separators in the key", "a\\=b\\:c\\ d=e", [("a=b:c d", "e", 1)]),
    .init("escaped hash and bang", "\\#a=\\!b", [("#a", "!b", 1)]),
    .init("other escapes drop the backslash", "a=\\q\\z\\\"", [("a", "qz\"", 1)]),
    .init("escaped leading space", "a=\\  b", [("a", "  b", 1)]),
    .init("unicode escapes", "a=\\u00e9\\u0041\\u00C9", [("a", "\u{E9}A\u{C9}", 1)]),
    .init("unicode escape in the key", "\\u0041=b", [("A", "b", 1)]),
    .init("surrogate pair", "a=\\uD83D\\uDE00", [("a", "\u{1F600}", 1)]),
    .init("escaped line end", "a=x\\ny", [("a", "x\ny", 1)]),
    .init("malformed unicode escape", "a=\\u00G1", errorOnLine: 1),
    .init("short unicode escape", "ok=1\na=\\u12", errorOnLine: 2),
    .init("unicode escape with a sign", "a=\\u+123", errorOnLine: 1),
    .init("malformed escape on a continuation", "ok=1\na=first\\\n  \\uXYZW", errorOnLine: 3),
    .init("malformed escape in a key", "\\u00=x", errorOnLine: 1),
    .init("half a surrogate pair", "a=\\uD800", errorOnLine: 1, sameInJava: false),
    .init("a low surrogate alone", "a=x\\uDE00", errorOnLine: 1, sameInJava: false),

    // Encodings.
    .init("UTF-8", "a=\u{E9}t\u{E9} \u{20AC}", [("a", "\u{E9}t\u{E9} \u{20AC}", 1)]),
    .init("UTF-8 outside the BMP", "\u{1F600}=\u{1F600}", [("\u{1F600}", "\u{1F600}", 1)]),
    .init("ISO-8859-1", bytes: [0x61, 0x3D, 0xE9, 0x74, 0xE9, 0x0A, 0x62, 0x3D, 0xFF], [("a", "\u{E9}t\u{E9}", 1), ("b", "\u{FF}", 2)]),
    .init("UTF-8 byte-order mark", bytes: [0xEF, 0xBB, 0xBF] + Array("a=b".utf8), [("a", "b", 1)], sameInJava: false),

    // Duplicates: all entries in order; Java keeps the last.
    .init("duplicate keys", "a=1\nb=2\na=3", [("a", "1", 1), ("b", "2", 2), ("a", "3", 3)]),

    // A SignServer sample's shape.
    .init(
        "SignServer shape",
        """
        # Time-stamp signer
        WORKERGENID1.TYPE=PROCESSABLE
        WORKERGENID1.IMPLEMENTATION_CLASS=org.signserver.module.tsa.TimeStampSigner
        WORKERGENID1.NAME : TimeStampSigner
        WORKERGENID1.ACCEPTED_HASH_DIGEST_ALGORITHMS    SHA-256,SHA-384
        WORKERGENID1.DESCRIPTION=Z\\u00fcrich TSA
        """,
        [
            ("WORKERGENID1.TYPE", "PROCESSABLE", 2),
            ("WORKERGENID1.IMPLEMENTATION_CLASS", "org.signserver.module.tsa.TimeStampSigner", 3),
            ("WORKERGENID1.NAME", "TimeStampSigner", 4),
            ("WORKERGENID1.ACCEPTED_HASH_DIGEST_ALGORITHMS", "SHA-256,SHA-384", 5),
            ("WORKERGENID1.DESCRIPTION", "Z\u{FC}rich TSA", 6),
        ]),
]
