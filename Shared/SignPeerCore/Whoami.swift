/// The answer of `GET /whoami`: the caller's principal exactly as the gateway sees it, so an
/// operator can tell why a role rule does not match.
public struct WhoamiResponse: Codable, Sendable, Equatable {
    public var serialNumber: String
    public var issuerDN: String
    public var subjectDN: String
    public var fingerprintSHA256: String
    public var roles: [Role]

    public init(_ principal: Principal) {
        serialNumber = principal.serialNumber
        issuerDN = principal.issuerDN
        subjectDN = principal.subjectDN
        fingerprintSHA256 = principal.fingerprintSHA256
        roles = principal.roles
    }
}
