import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres

/// An audit row as stored, and the canonical text its hash covers.
struct AuditRow: Sendable {
    var seq: Int
    /// UTC, millisecond precision, the exact text hashed (PostgreSQL keeps microseconds, so a
    /// millisecond value reads back unchanged).
    var time: String
    var event: String
    var outcome: String
    var principalSerial: String?
    var principalIssuer: String?
    var principalSubject: String?
    var workerID: Int?
    var workerName: String?
    var details: String
    var previousHash: String
    var hash = ""

    init(
        seq: Int, time: String, event: String, outcome: String, principalSerial: String?, principalIssuer: String?,
        principalSubject: String?, workerID: Int?, workerName: String?, details: String, previousHash: String
    ) {
        self.seq = seq
        self.time = time
        self.event = event
        self.outcome = outcome
        self.principalSerial = principalSerial
        self.principalIssuer = principalIssuer
        self.principalSubject = principalSubject
        self.workerID = workerID
        self.workerName = workerName
        self.details = details
        self.previousHash = previousHash
    }

    var entry: AuditEntry {
        AuditEntry(
            seq: seq, time: time, event: event, outcome: outcome, principalSerial: principalSerial,
            principalIssuer: principalIssuer, principalSubject: principalSubject, workerId: workerID,
            workerName: workerName, details: details)
    }

    init(row: PostgresRow) throws {
        seq = try row.decode(Int.self, column: "seq")
        time = try row.decode(String.self, column: "time")
        event = try row.decode(String.self, column: "event")
        outcome = try row.decode(String.self, column: "outcome")
        principalSerial = try row.decode(String?.self, column: "principal_serial")
        principalIssuer = try row.decode(String?.self, column: "principal_issuer")
        principalSubject = try row.decode(String?.self, column: "principal_subject")
        workerID = try row.decode(Int?.self, column: "worker_id")
        workerName = try row.decode(String?.self, column: "worker_name")
        details = try row.decode(String.self, column: "details")
        previousHash = try row.decode(String.self, column: "previous_hash")
        hash = try row.decode(String.self, column: "hash")
    }

    /// SHA-256 over every field, each length-prefixed so no two rows share a canonical text.
    var computedHash: String {
        let fields: [String?] = [
            String(seq), time, event, outcome, principalSerial, principalIssuer, principalSubject,
            workerID.map(String.init), workerName, details, previousHash,
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
