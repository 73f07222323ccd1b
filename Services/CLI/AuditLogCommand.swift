import ArgumentParser
import SignPeerCore

/// `signpeer auditlog -list [...]` prints the latest audit rows (Auditor or Admin);
/// `signpeer auditlog -verify` checks the hash chain and names the first broken row (SPEC §10).
struct AuditLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auditlog", abstract: "List the audit log or verify its integrity chain.",
        usage: AuditLogArguments.usage)

    @OptionGroup var connection: ConnectionOptions
    @Argument(parsing: .allUnrecognized, help: .hidden) var arguments: [String] = []

    func run() async throws {
        let client = try connection.makeClient()
        switch try AuditLogArguments.parse(arguments) {
        case .list(let limit, let event, let worker):
            let list: AuditEntryList = try await client.get(
                "/admin/v1/audit" + AuditLogArguments.query(limit: limit, event: event, worker: worker))
            for entry in list.entries { print(Self.line(entry)) }
        case .verify:
            let result: AuditVerificationResult = try await client.get("/admin/v1/audit/verify")
            if let broken = result.firstBroken {
                throw CLIError("audit log broken at sequence number \(broken): \(result.reason ?? "mismatch")")
            }
            print("OK, \(result.rows) rows")
        }
    }

    /// `seq time event outcome worker=… principal=… details`.
    static func line(_ entry: AuditEntry) -> String {
        let worker = entry.workerName ?? entry.workerId.map(String.init) ?? "-"
        let principal = entry.principalSubject ?? "system"
        return "\(entry.seq) \(entry.time) \(entry.event) \(entry.outcome) worker=\(worker) principal=\"\(principal)\" \(entry.details)"
    }
}
