import Foundation
import Synchronization

/// Who is calling, as the gateway established it from a verified TLS client certificate.
///
/// The gateway is the only place that authenticates; it forwards the principal to the internal
/// services in the ``InternalHeaders/principal`` header so they can authorize and audit without
/// seeing the certificate. Internal services trust that header only on calls that carry the
/// internal credential.
public struct Principal: Sendable, Codable, Hashable {
    /// Lower-case hex certificate serial number without leading zeros (SPEC §4).
    public var serialNumber: String
    /// Normalized issuer DN (RFC 4514 order, `", "` separators).
    public var issuerDN: String
    /// Normalized subject DN.
    public var subjectDN: String
    /// Lower-case hex SHA-256 of the client certificate's DER.
    public var fingerprintSHA256: String
    /// Roles granted by the rules in the database, sorted.
    public var roles: [Role]

    public init(
        serialNumber: String, issuerDN: String, subjectDN: String, fingerprintSHA256: String,
        roles: [Role]
    ) {
        self.serialNumber = serialNumber
        self.issuerDN = issuerDN
        self.subjectDN = subjectDN
        self.fingerprintSHA256 = fingerprintSHA256
        self.roles = roles.sorted()
    }

    public func hasRole(_ role: Role) -> Bool { roles.contains(role) }

    /// The header form: base64url of the JSON encoding (headers cannot carry arbitrary UTF-8).
    /// Every request of a client carries the same principal, so the encoding is remembered.
    public func headerValue() -> String {
        if let cached = PrincipalHeaderCache.shared.header(for: self) { return cached }
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        let header = data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        PrincipalHeaderCache.shared.remember(self, header: header)
        return header
    }

    /// Parses ``headerValue()``; `nil` when the header is malformed.
    public init?(headerValue: String) {
        guard headerValue.utf8.count <= 16_384 else { return nil }
        if let cached = PrincipalHeaderCache.shared.principal(for: headerValue) {
            self = cached
            return
        }
        guard let decoded = Self.decode(headerValue: headerValue) else { return nil }
        PrincipalHeaderCache.shared.remember(decoded, header: headerValue)
        self = decoded
    }

    private static func decode(headerValue: String) -> Principal? {
        var base64 = headerValue
            .replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONDecoder().decode(Principal.self, from: data)
    }
}

/// Principals and their header form in both directions, so that neither the gateway (encoding)
/// nor an internal service (decoding) runs a JSON coder per request for the same client. Only
/// well-formed pairs are stored; bounded by clearing when full.
final class PrincipalHeaderCache: Sendable {
    static let shared = PrincipalHeaderCache()

    private struct Tables {
        var headers: [Principal: String] = [:]
        var principals: [String: Principal] = [:]
    }

    private let tables = Mutex(Tables())
    private let capacity = 1024

    func header(for principal: Principal) -> String? { tables.withLock { $0.headers[principal] } }

    func principal(for header: String) -> Principal? { tables.withLock { $0.principals[header] } }

    func remember(_ principal: Principal, header: String) {
        tables.withLock { tables in
            if tables.headers.count >= capacity || tables.principals.count >= capacity { tables = Tables() }
            tables.headers[principal] = header
            tables.principals[header] = principal
        }
    }
}
