import Foundation
import SignPeerCore
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
        Hex.encode(mac(fingerprint, bucket: Self.bucket(date)))
    }

    /// Whether `token` was issued to `fingerprint` in the current or the previous hour.
    func isValid(_ token: String?, for fingerprint: String, at date: Date = Date()) -> Bool {
        guard let token, token.utf8.count == 64, let presented = Hex.decode(token) else { return false }
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
}
