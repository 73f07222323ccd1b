import Foundation
import Testing

@testable import SignPeerGateway

/// The Admin Web's stateless CSRF tokens: one per client certificate and hour, the previous hour
/// still accepted, anything else refused.
struct CSRFTokenTests {
    let tokens = CSRFToken(key: Array("a key derived from the internal credential".utf8))
    let fingerprint = String(repeating: "ab", count: 32)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aTokenIsValidThisHourAndTheNext() {
        let token = tokens.token(for: fingerprint, at: now)
        #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
        #expect(tokens.isValid(token, for: fingerprint, at: now))
        #expect(tokens.isValid(token, for: fingerprint, at: now + 3600))
        #expect(!tokens.isValid(token, for: fingerprint, at: now + 2 * 3600))
        #expect(!tokens.isValid(token, for: fingerprint, at: now - 3600), "a token from the future is refused")
    }

    @Test func aTokenBelongsToOneCertificateAndOneKey() {
        let token = tokens.token(for: fingerprint, at: now)
        #expect(!tokens.isValid(token, for: String(repeating: "cd", count: 32), at: now))
        #expect(!CSRFToken(key: Array("another key".utf8)).isValid(token, for: fingerprint, at: now))
        #expect(tokens.isValid(token, for: fingerprint.uppercased(), at: now), "fingerprints compare case-insensitively")
    }

    @Test(arguments: [nil, "", "zz", String(repeating: "g", count: 64), String(repeating: "0", count: 63)])
    func malformedTokensAreRefused(token: String?) {
        #expect(!tokens.isValid(token, for: fingerprint, at: now))
    }
}
