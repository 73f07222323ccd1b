import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres

/// The tamper-evident audit log of SPEC §10: every row has the next per-database sequence number
/// and a SHA-256 hash over its content and the previous row's hash, so a row deleted, altered or
/// moved in PostgreSQL breaks the chain at that row.
///
/// Rows are appended inside the caller's transaction (the change and its record commit together)
/// under a transaction-scoped advisory lock, so writers in any number of processes extend one
/// chain and never fork it.
public enum AuditLog {
    static let lockKey: Int64 = 0x5350_4155_4449_5400  // "SPAUDIT"
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Appends `event` on `connection`, which must be inside a transaction.
    public static func append(_ event: AuditEvent, on connection: PostgresConnection) async throws {
        _ = try await connection.query("SELECT pg_advisory_xact_lock($1)", [.int(lockKey)])
        let last = try await connection.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").first
        let row = AuditRow(
            entry: AuditEntry(
                seq: (try last?.decode(Int.self, column: "seq") ?? 0) + 1,
                time: AuditRow.timeFormat.format(Date()), event: event.name.rawValue, outcome: event.outcome.rawValue,
                principalSerial: event.principal?.serialNumber, principalIssuer: event.principal?.issuerDN,
                principalSubject: event.principal?.subjectDN, workerId: event.workerID, workerName: event.workerName,
                details: AuditRow.encodeDetails(event.details)),
            previousHash: try last?.decode(String.self, column: "hash") ?? genesisHash)
        let entry = row.entry
        try await connection.execute(
            """
            INSERT INTO audit_log (seq, time, event, outcome, principal_serial, principal_issuer, principal_subject,
                                   worker_id, worker_name, details, previous_hash, hash)
            VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """,
            [
                .int(Int64(entry.seq)), .text(entry.time), .text(entry.event), .text(entry.outcome),
                entry.principalSerial.map { .text($0) } ?? .null, entry.principalIssuer.map { .text($0) } ?? .null,
                entry.principalSubject.map { .text($0) } ?? .null, entry.workerId.map { .int(Int64($0)) } ?? .null,
                entry.workerName.map { .text($0) } ?? .null, .text(entry.details), .text(row.previousHash),
                .text(row.computedHash),
            ])
    }

    /// Appends `event` in a transaction of its own (events with no other change, e.g. a denial).
    public static func record(_ event: AuditEvent, in database: PostgresClient) async throws {
        try await database.withTransaction { connection in try await append(event, on: connection) }
    }

    /// The SQL that reads rows back in exactly the form their hash covers.
    public static let selectRows = """
        SELECT seq, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time, event, outcome,
               principal_serial, principal_issuer, principal_subject, worker_id, worker_name, details,
               previous_hash, hash
        FROM audit_log
        """

    /// The latest rows, newest first, optionally of one event and/or one worker (id or name).
    public static func list(limit: Int, event: String?, worker: String?, in database: PostgresClient) async throws
        -> [AuditEntry]
    {
        var conditions: [String] = []
        var parameters: [PostgresValue] = []
        if let event {
            parameters.append(.text(event.uppercased()))
            conditions.append("event = $\(parameters.count)")
        }
        if let worker {
            parameters.append(.text(worker))
            conditions.append("(worker_id::text = $\(parameters.count) OR upper(worker_name) = upper($\(parameters.count)))")
        }
        parameters.append(.int(Int64(limit)))
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try await database.query(selectRows + filter + " ORDER BY seq DESC LIMIT $\(parameters.count)", parameters)
            .map { try AuditRow(row: $0).entry }
    }

    /// Checks the whole chain; the answer names the first broken sequence number.
    public static func verify(in database: PostgresClient) async throws -> AuditVerificationResult {
        let rows = try await database.query(selectRows + " ORDER BY seq").map(AuditRow.init(row:))
        var previous = genesisHash
        for (index, row) in rows.enumerated() {
            let expectedSeq = index + 1
            let seq = row.entry.seq
            if seq != expectedSeq {
                return AuditVerificationResult(rows: rows.count, firstBroken: min(seq, expectedSeq), reason: "sequence gap")
            }
            if row.previousHash != previous {
                return AuditVerificationResult(rows: rows.count, firstBroken: seq, reason: "previous hash does not match")
            }
            if row.hash != row.computedHash {
                return AuditVerificationResult(rows: rows.count, firstBroken: seq, reason: "content does not match its hash")
            }
            previous = row.hash
        }
        return AuditVerificationResult(rows: rows.count, firstBroken: nil, reason: nil)
    }
}
