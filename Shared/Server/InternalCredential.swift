import Foundation
import SignPeerCrypto

/// The shared secret that internal calls carry (SPEC §2).
///
/// Read from the file named by `SIGNPEER_INTERNAL_TOKEN_FILE` (preferred: container secrets) or
/// from `SIGNPEER_INTERNAL_TOKEN`. The value never appears in logs or errors. Comparison is
/// constant-time so the secret cannot be recovered by timing.
public struct InternalCredential: Sendable {
    private let secret: [UInt8]

    public static let minimumLength = 32
    public static let defaultFile = ".local/secrets/internal-token"

    public init(secret: String) throws {
        guard secret.utf8.count >= Self.minimumLength else {
            throw ConfigurationError(
                variable: "SIGNPEER_INTERNAL_TOKEN",
                message: "the internal credential must be at least \(Self.minimumLength) characters")
        }
        self.secret = Array(secret.utf8)
    }

    public static func load(from environment: EnvironmentReader) throws -> InternalCredential {
        if let inline = environment.optionalString("SIGNPEER_INTERNAL_TOKEN") {
            return try InternalCredential(secret: inline)
        }
        let variable = "SIGNPEER_INTERNAL_TOKEN_FILE"
        let path = environment.string(variable, default: defaultFile)
        guard let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigurationError(
                variable: variable,
                message: "cannot read the internal credential file '\(path)' (or set SIGNPEER_INTERNAL_TOKEN)")
        }
        do {
            return try InternalCredential(secret: text.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch let error as ConfigurationError {
            throw ConfigurationError(variable: variable, message: error.message)
        }
    }

    /// The `Authorization` header value internal calls send.
    public var authorizationHeader: String { "Bearer " + String(decoding: secret, as: UTF8.self) }

    /// A key for one purpose derived from the secret (HMAC-SHA256 over the purpose), so every
    /// replica that shares the credential derives the same key and the secret itself is never
    /// used twice for different things.
    public func derivedKey(purpose: String) -> [UInt8] {
        HMAC.sha256(key: secret, message: Array(("signpeer:" + purpose).utf8))
    }

    /// Constant-time check of an `Authorization` header value.
    public func matches(authorizationHeader value: String?) -> Bool {
        guard let value, value.hasPrefix("Bearer ") else { return false }
        let presented = Array(value.utf8.dropFirst("Bearer ".utf8.count))
        var difference = UInt8(truncatingIfNeeded: presented.count ^ secret.count)
        for index in 0..<secret.count {
            let byte = index < presented.count ? presented[index] : 0
            difference |= byte ^ secret[index]
        }
        return difference == 0
    }
}
