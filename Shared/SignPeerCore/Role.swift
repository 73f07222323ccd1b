/// The four authorization roles of SPEC §1/§4. A client is in a role when a rule
/// (certificate serial number, issuer DN) for it exists in that role's list.
public enum Role: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case admin = "ADMIN"
    case auditor = "AUDITOR"
    case archiveAuditor = "ARCHIVE_AUDITOR"
    case peerSystem = "PEER_SYSTEM"

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
