import ArgumentParser
import SignPeerCore

/// `signpeer wspeersystems | wsadmins | wsauditors | wsarchiveauditors`: lists, adds and removes the
/// (serial number, issuer DN) rules of one role (SPEC §4, §9.1). The four commands differ only in
/// the role; ``RoleRulesCommand`` holds what they share.
protocol RoleRulesCommand: AsyncParsableCommand {
    /// The role segment of `/admin/v1/roles/{role}`.
    static var roleSegment: String { get }
    var connection: ConnectionOptions { get }
    var arguments: [String] { get }
}

extension RoleRulesCommand {
    static func makeConfiguration(name: String, role: String) -> CommandConfiguration {
        CommandConfiguration(
            commandName: name, abstract: "List, add or remove \(role) authorization rules.",
            usage: RuleArguments.forms(name).joined(separator: "\n"),
            discussion: """
                A rule is a certificate serial number (hex) and its issuer DN. -cert takes a PEM or DER \
                certificate file and adds the rule for that certificate.
                """)
    }

    func run() async throws {
        let action = try RuleArguments.parse(arguments, command: Self.configuration.commandName ?? "")
        let client = try connection.makeClient()
        let path = AdminPaths.role(Self.roleSegment)
        switch action {
        case .list:
            let list: RoleRuleList = try await client.get(path)
            for line in Self.lines(for: list) { print(line) }
        case .add(let serialNumber, let issuerDN):
            let result: OperationResult = try await client.post(
                path + "/rules", RoleRuleRequest(serialNumber: serialNumber, issuerDN: issuerDN))
            print(result.changed ? "Rule added" : "Rule already exists")
        case .addCertificate(let file):
            let data = try InputFiles.read(file)
            guard !data.isEmpty else { throw CLIError("\(file) is empty") }
            let result: OperationResult = try await client.post(
                path + "/rules", RoleRuleRequest(certificate: InputFiles.certificate(data)))
            print(result.changed ? "Rule added" : "Rule already exists")
        case .remove(let serialNumber, let issuerDN):
            let result: OperationResult = try await client.post(
                path + "/rules/remove", RoleRuleRequest(serialNumber: serialNumber, issuerDN: issuerDN))
            print(result.changed ? "Rule removed" : "No such rule")
        }
    }

    /// `Authorizations:`, then per rule the serial number left-justified in 20 columns, a space
    /// and the issuer DN — SignServer's `String.format("%-20s %s", serial, issuer)`.
    static func lines(for list: RoleRuleList) -> [String] {
        ["Authorizations:"]
            + list.rules.map {
                $0.serialNumber + String(repeating: " ", count: max(0, 20 - $0.serialNumber.count)) + " " + $0.issuerDN
            }
    }
}

struct PeerSystemsCommand: RoleRulesCommand {
    static let configuration = makeConfiguration(name: "wspeersystems", role: "Peer System")
    static let roleSegment = "peersystems"
    @OptionGroup var connection: ConnectionOptions
    @Argument(parsing: .allUnrecognized, help: .hidden) var arguments: [String] = []
}

struct AdminsCommand: RoleRulesCommand {
    static let configuration = makeConfiguration(name: "wsadmins", role: "Admin")
    static let roleSegment = "admins"
    @OptionGroup var connection: ConnectionOptions
    @Argument(parsing: .allUnrecognized, help: .hidden) var arguments: [String] = []
}

struct AuditorsCommand: RoleRulesCommand {
    static let configuration = makeConfiguration(name: "wsauditors", role: "Auditor")
    static let roleSegment = "auditors"
    @OptionGroup var connection: ConnectionOptions
    @Argument(parsing: .allUnrecognized, help: .hidden) var arguments: [String] = []
}

struct ArchiveAuditorsCommand: RoleRulesCommand {
    static let configuration = makeConfiguration(name: "wsarchiveauditors", role: "Archive Auditor")
    static let roleSegment = "archiveauditors"
    @OptionGroup var connection: ConnectionOptions
    @Argument(parsing: .allUnrecognized, help: .hidden) var arguments: [String] = []
}
