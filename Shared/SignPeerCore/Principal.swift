import Foundation

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
    public func headerValue() -> String {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Parses ``headerValue()``; `nil` when the header is malformed.
    public init?(headerValue: String) {
        guard headerValue.utf8.count <= 16_384 else { return nil }
        var base64 = headerValue
            .replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
            let decoded = try? JSONDecoder().decode(Principal.self, from: data)
        else { return nil }
        self = decoded
    }
}
