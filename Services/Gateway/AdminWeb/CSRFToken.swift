import Foundation
import SignPeerCrypto

/// CSRF tokens of the Admin Web: stateless, per client certificate, valid for one to two hours.
///
/// token = hex(HMAC-SHA256(key, fingerprint "|" hour)), where `fingerprint` is the SHA-256 of
/// the admin's client certificate and `hour` the number of whole hours since 1970. The key is
/// derived from the internal credential, so every gateway replica issues and accepts the same
/// tokens without shared state; a token from another certificate, or older than the previous
/// hour, is refused. A cross-site page cannot read the token (the pages are same-origin only and
/// framing is forbidden), so it cannot forge a form post.
struct CSRFToken: Sendable {
    static let fieldName = "csrf"
    private let key: [UInt8]

    init(key: [UInt8]) { self.key = key }

    /// The token to embed in the forms of a page served now to `fingerprint`.
    func token(for fingerprint: String, at date: Date = Date()) -> String {
        Self.hex(mac(fingerprint, bucket: Self.bucket(date)))
    }

    /// Whether `token` was issued to `fingerprint` in the current or the previous hour.
    func isValid(_ token: String?, for fingerprint: String, at date: Date = Date()) -> Bool {
        guard let token, token.utf8.count == 64, let presented = Self.bytes(fromHex: token) else { return false }
        let bucket = Self.bucket(date)
        var valid = false
        for candidate in [bucket, bucket - 1] {
            // Both comparisons always run, so timing does not tell which hour matched.
            valid = HMAC.constantTimeEquals(presented, mac(fingerprint, bucket: candidate)) || valid
        }
        return valid
    }

    private func mac(_ fingerprint: String, bucket: Int) -> [UInt8] {
        HMAC.sha256(key: key, message: Array("\(fingerprint.lowercased())|\(bucket)".utf8))
    }

    static func bucket(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 3600).rounded(.down)) }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(fromHex text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let high = nibble(characters[index]), let low = nibble(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
