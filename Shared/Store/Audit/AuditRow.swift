import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres

/// An audit row as stored: the entry an auditor reads, the previous row's hash, and its own hash
/// over both (the canonical text below). `entry.time` is UTC with millisecond precision, the exact
/// text hashed (PostgreSQL keeps microseconds, so a millisecond value reads back unchanged).
struct AuditRow: Sendable {
    var entry: AuditEntry
    var previousHash: String
    var hash = ""

    init(entry: AuditEntry, previousHash: String) {
        self.entry = entry
        self.previousHash = previousHash
    }

    init(row: PostgresRow) throws {
        entry = AuditEntry(
            seq: try row.decode(Int.self, column: "seq"), time: try row.decode(String.self, column: "time"),
            event: try row.decode(String.self, column: "event"), outcome: try row.decode(String.self, column: "outcome"),
            principalSerial: try row.decode(String?.self, column: "principal_serial"),
            principalIssuer: try row.decode(String?.self, column: "principal_issuer"),
            principalSubject: try row.decode(String?.self, column: "principal_subject"),
            workerId: try row.decode(Int?.self, column: "worker_id"),
            workerName: try row.decode(String?.self, column: "worker_name"),
            details: try row.decode(String.self, column: "details"))
        previousHash = try row.decode(String.self, column: "previous_hash")
        hash = try row.decode(String.self, column: "hash")
    }

    /// SHA-256 over every field, each length-prefixed so no two rows share a canonical text.
    var computedHash: String {
        let fields: [String?] = [
            String(entry.seq), entry.time, entry.event, entry.outcome, entry.principalSerial, entry.principalIssuer,
            entry.principalSubject, entry.workerId.map(String.init), entry.workerName, entry.details, previousHash,
        ]
        let canonical = fields.map { field in field.map { "\($0.utf8.count):\($0)" } ?? "-" }.joined(separator: "|")
        return Digest.sha256.hex(of: Array(canonical.utf8))
    }

    static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func encodeDetails(_ details: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(details)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
