/// The PEM blocks inside a protocol byte field (EJBCA-PEER-PROTOCOL.md §3.3.3): an UPDATE with
/// encoding PEM_CERTIFICATES carries text with one or more `CERTIFICATE` blocks, the signer's
/// own certificate first, and EJBCA's PEM writer puts `Subject:`/`Issuer:` lines before each.
/// Text outside the blocks is skipped, as SignServer's reader skips it.
public enum PEMBlocks {
    /// The base64 body of every `-----BEGIN <label>-----` ... `-----END <label>-----` block, in
    /// order, whitespace removed. A BEGIN line without its END line ends the search.
    public static func bodies(label: String, in bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        var bodies: [String] = []
        var rest = text[...]
        while let header = rest.firstRange(of: begin), let footer = rest[header.upperBound...].firstRange(of: end) {
            bodies.append(String(rest[header.upperBound..<footer.lowerBound].filter { !$0.isWhitespace }))
            rest = rest[footer.upperBound...]
        }
        return bodies
    }

    /// The blocks again as plain RFC 7468 text (64-character lines), without the text around them.
    public static func canonical(label: String, bodies: [String]) -> String {
        bodies.map { body in
            var lines: [Substring] = []
            var rest = body[...]
            while !rest.isEmpty {
                lines.append(rest.prefix(64))
                rest = rest.dropFirst(64)
            }
            return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
        }.joined()
    }
}
