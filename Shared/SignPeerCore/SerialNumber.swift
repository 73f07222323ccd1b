/// Certificate serial numbers in the one form SignPeer stores and compares (SPEC §4).
///
/// Serials compare as numbers, so every spelling of one number (`00:AB:CD`, `0xabcd`, `ABCD`)
/// is reduced to lower-case hex without leading zeros; zero is `"0"`.
public enum SerialNumber {
    /// The longest accepted input, in hex digits (40 bytes; RFC 5280 allows 20).
    public static let maximumHexDigits = 80

    /// Normalizes a serial typed in any case, with or without a `0x` prefix, leading zeros and
    /// `:` or space separators.
    ///
    /// - Throws: ``SignPeerError`` with code `.invalidSerialNumber` for empty input, characters
    ///   that are not hex digits, or more than ``maximumHexDigits`` digits.
    public static func normalize(_ input: String) throws -> String {
        var text = Substring(input).drop(while: \.isWhitespace)
        while text.last?.isWhitespace == true { text.removeLast() }
        guard !text.isEmpty else { throw invalid("serial number is empty") }
        if text.hasPrefix("0x") || text.hasPrefix("0X") { text.removeFirst(2) }
        var digits: [UInt8] = []
        for character in text {
            if character == ":" || character == " " { continue }
            guard let ascii = character.asciiValue, ascii.isHexDigit else {
                throw invalid("serial number contains '\(character)', which is not a hex digit")
            }
            guard digits.count < maximumHexDigits else {
                throw invalid("serial number is longer than \(maximumHexDigits) hex digits")
            }
            digits.append(ascii | 0x20)  // lower-case; leaves digits unchanged
        }
        guard !digits.isEmpty else { throw invalid("serial number has no hex digits") }
        return stripLeadingZeros(digits)
    }

    /// The normalized form of a serial given as big-endian magnitude bytes (as in DER).
    public static func fromBigEndianBytes(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            digits.append(hex[Int(byte >> 4)])
            digits.append(hex[Int(byte & 0x0F)])
        }
        return stripLeadingZeros(digits)
    }

    private static func stripLeadingZeros(_ digits: [UInt8]) -> String {
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        return significant.isEmpty ? "0" : String(decoding: significant, as: UTF8.self)
    }

    private static func invalid(_ message: String) -> SignPeerError {
        SignPeerError.invalidSerialNumber(message)
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
