/// The lexical layer of `signpeer setproperties`: Java `.properties` syntax exactly as
/// `java.util.Properties.load` reads it, so SignServer users' files mean here what they mean
/// there. It knows nothing about workers; ``PropertyFile`` gives the keys their SignPeer meaning.
///
/// - A natural line ends at `\n`, `\r` or `\r\n`. Leading spaces, tabs and form feeds are skipped;
///   blank lines and lines whose first other character is `#` or `!` are comments.
/// - A line ending in an odd number of backslashes continues on the next line; the backslash
///   and the continuation's leading whitespace are dropped.
/// - The key ends at the first unescaped `=`, `:`, space, tab or form feed; whitespace around
///   that separator (and one `=`/`:` after whitespace) is skipped; the rest is the value.
/// - In keys and values `\t \n \r \f` and `\uXXXX` are escapes; a backslash before any other
///   character stands for that character (`\\`, `\=`, `\:`, `\#`, `\!`, `\ `).
/// - Unlike Java, a `\u` escape that leaves half a UTF-16 surrogate pair is an error (the value
///   could not be stored as text), and a leading UTF-8 byte-order mark is ignored.
public enum JavaProperties {
    /// One key/value pair, in file order (duplicates kept: the caller decides, as Java's
    /// `Hashtable.put` does, that the last one wins).
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: String
        /// The physical line (1-based) where the entry's logical line starts.
        public var line: Int

        public init(key: String, value: String, line: Int) {
            self.key = key
            self.value = value
            self.line = line
        }
    }

    /// The text of a property file: UTF-8 when the bytes are valid UTF-8, otherwise ISO-8859-1
    /// (what `Properties.load(InputStream)` assumes, and what older SignServer files are in).
    public static func decode(_ bytes: some Collection<UInt8>) -> String {
        var bytes = Array(bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// The entries of a property file, in order. Throws `invalid_property` naming the physical
    /// line of a malformed `\uXXXX` escape.
    public static func entries(_ text: String) throws(SignPeerError) -> [Entry] {
        var reader = LineReader(text)
        var entries: [Entry] = []
        while let line = reader.next() {
            entries.append(try entry(line))
        }
        return entries
    }

    /// One logical line: its characters and the physical line each came from.
    struct LogicalLine {
        var characters: [Unicode.Scalar] = []
        var lines: [Int] = []
    }

    /// `Properties.LineReader.readLine` of Java 17, character for character.
    struct LineReader {
        let characters: [Unicode.Scalar]
        /// The physical line of each character (`\r\n` is one line end).
        let lines: [Int]
        var offset = 0

        init(_ text: String) {
            characters = Array(text.unicodeScalars)
            var lines: [Int] = []
            lines.reserveCapacity(characters.count)
            var line = 1
            for (index, character) in characters.enumerated() {
                lines.append(line)
                if character == "\n" || (character == "\r" && characters[safe: index + 1] != "\n") { line += 1 }
            }
            self.lines = lines
        }

        mutating func next() -> LogicalLine? {
            var result = LogicalLine()
            var skipWhitespace = true
            var appendedLineBegin = false
            var precedingBackslash = false
            func finished() -> LogicalLine? {
                if result.characters.isEmpty { return nil }
                if precedingBackslash { result.characters.removeLast(); result.lines.removeLast() }
                return result
            }
            while offset < characters.count {
                let character = characters[offset]
                let line = lines[offset]
                offset += 1
                if skipWhitespace {
                    if JavaProperties.isWhitespace(character) { continue }
                    if !appendedLineBegin && (character == "\r" || character == "\n") { continue }
                    skipWhitespace = false
                    appendedLineBegin = false
                }
                if result.characters.isEmpty && (character == "#" || character == "!") {
                    // A comment: the rest of the natural line, its line end included.
                    while offset < characters.count {
                        let next = characters[offset]
                        offset += 1
                        if next == "\r" || next == "\n" { break }
                    }
                    skipWhitespace = true
                    continue
                }
                if character != "\n" && character != "\r" {
                    result.characters.append(character)
                    result.lines.append(line)
                    precedingBackslash = character == "\\" ? !precedingBackslash : false
                    continue
                }
                if result.characters.isEmpty {
                    skipWhitespace = true
                    continue
                }
                if offset >= characters.count { return finished() }
                guard precedingBackslash else { return result }
                // The backslash at the line end is not part of the line; the next natural line
                // continues it, without its leading whitespace.
                result.characters.removeLast()
                result.lines.removeLast()
                skipWhitespace = true
                appendedLineBegin = true
                precedingBackslash = false
                if character == "\r" && characters[offset] == "\n" { offset += 1 }
            }
            return finished()
        }
    }

    static func hexValue(_ digit: Unicode.Scalar) -> UInt8 {
        let value = UInt8(digit.value)
        return value <= 0x39 ? value - 0x30 : (value | 0x20) - 0x61 + 10
    }

    static func isWhitespace(_ character: Unicode.Scalar) -> Bool {
        character == " " || character == "\t" || character == "\u{0C}"
    }

    /// `Properties.load0`: where the key ends and the value starts.
    static func entry(_ line: LogicalLine) throws(SignPeerError) -> Entry {
        let characters = line.characters
        var keyEnd = 0
        var valueStart = characters.count
        var hasSeparator = false
        var precedingBackslash = false
        while keyEnd < characters.count {
            let character = characters[keyEnd]
            if (character == "=" || character == ":") && !precedingBackslash {
                valueStart = keyEnd + 1
                hasSeparator = true
                break
            } else if isWhitespace(character) && !precedingBackslash {
                valueStart = keyEnd + 1
                break
            }
            precedingBackslash = character == "\\" ? !precedingBackslash : false
            keyEnd += 1
        }
        while valueStart < characters.count {
            let character = characters[valueStart]
            if !isWhitespace(character) {
                guard !hasSeparator && (character == "=" || character == ":") else { break }
                hasSeparator = true
            }
            valueStart += 1
        }
        return Entry(
            key: try unescape(line, 0..<keyEnd), value: try unescape(line, valueStart..<characters.count),
            line: line.lines.first ?? 1)
    }

    /// `Properties.loadConvert`: the escapes of a key or a value.
    static func unescape(_ line: LogicalLine, _ range: Range<Int>) throws(SignPeerError) -> String {
        let characters = line.characters
        var units: [UInt16] = []
        units.reserveCapacity(range.count)
        /// The line of a `\u` escape that gave a high surrogate, until its low half follows.
        var openSurrogate: Int?
        func halfPair(_ line: Int) -> SignPeerError {
            SignPeerError.invalidProperty("Line \(line): a \\u escape leaves half a UTF-16 surrogate pair.")
        }
        var offset = range.lowerBound
        while offset < range.upperBound {
            var character = characters[offset]
            let line = line.lines[offset]
            offset += 1
            var escapedUnit: UInt16?
            if character == "\\" {
                // The line reader never leaves an unescaped backslash at the end.
                guard offset < range.upperBound else { break }
                character = characters[offset]
                offset += 1
                switch character {
                case "u":
                    guard offset + 4 <= range.upperBound,
                        characters[offset..<offset + 4].allSatisfy(\.properties.isASCIIHexDigit)
                    else {
                        throw SignPeerError.invalidProperty("Line \(line): malformed \\uxxxx encoding.")
                    }
                    escapedUnit = characters[offset..<offset + 4].reduce(0) { $0 << 4 | UInt16(hexValue($1)) }
                    offset += 4
                case "t": character = "\t"
                case "r": character = "\r"
                case "n": character = "\n"
                case "f": character = "\u{0C}"
                default: break
                }
            }
            if let unit = escapedUnit {
                if UTF16.isTrailSurrogate(unit) {
                    guard openSurrogate != nil else { throw halfPair(line) }
                    openSurrogate = nil
                } else {
                    if let open = openSurrogate { throw halfPair(open) }
                    if UTF16.isLeadSurrogate(unit) { openSurrogate = line }
                }
                units.append(unit)
            } else {
                if let open = openSurrogate { throw halfPair(open) }
                units.append(contentsOf: character.utf16)
            }
        }
        if let open = openSurrogate { throw halfPair(open) }
        return String(decoding: units, as: UTF16.self)
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
