import Foundation
import SignPeerCore
import SignPeerPostgres

/// The incoming-connection registry of SPEC §4, in PostgreSQL so every gateway replica shares it:
/// one row per client certificate (serial + issuer), with subject, fingerprint, remote address,
/// first/last seen, request count and whether it was authorized. Rows not seen for an hour, and
/// rows an admin cleared, are hidden from the list but kept for audit.
public struct IncomingConnectionRegistry: Sendable {
    public let database: PostgresClient
    /// Where the per-request upsert goes: a pool whose commits do not wait for the WAL flush
    /// (``PostgresConfiguration/synchronousCommit``), since a peer's last-seen time and request
    /// count are bookkeeping that a PostgreSQL crash may set back, while every other write —
    /// clearing a row, rules, the audit log — stays durable on `database`.
    public let recording: PostgresClient

    public init(database: PostgresClient, recording: PostgresClient? = nil) {
        self.database = database
        self.recording = recording ?? database
    }

    public static let noSuchConnection = SignPeerError.notFound("No such incoming connection.")

    /// Records a peer request **only if** `PEERS_INCOMING_ENABLED` is true, in one statement
    /// (so the check and the write cannot disagree). Returns false when incoming connections are
    /// disabled — then nothing was written. `sourceId` is the node id an EJBCA peer-protocol frame
    /// carried (SPEC §12); a JSON request keeps the one recorded before.
    public func recordIfIncomingEnabled(
        _ principal: Principal, issuerMatch: String, remoteAddress: String, sourceId: Int32? = nil
    ) async throws -> Bool {
        let rows = try await recording.query(
            """
            INSERT INTO incoming_connections
                (serial_number, issuer_match, issuer_dn, subject_dn, fingerprint_sha256, remote_address, authorized,
                 source_id)
            SELECT $1, $2, $3, $4, $5, $6, $7, $8
            WHERE \(Self.incomingEnabled)
            ON CONFLICT (serial_number, issuer_match) DO UPDATE SET
                issuer_dn = excluded.issuer_dn, subject_dn = excluded.subject_dn,
                fingerprint_sha256 = excluded.fingerprint_sha256, remote_address = excluded.remote_address,
                last_seen = now(), request_count = incoming_connections.request_count + 1,
                authorized = excluded.authorized, cleared_at = NULL,
                source_id = coalesce(excluded.source_id, incoming_connections.source_id)
            RETURNING 1
            """,
            [
                .text(principal.serialNumber), .text(issuerMatch), .text(principal.issuerDN), .text(principal.subjectDN),
                .text(principal.fingerprintSHA256), .text(remoteAddress), .bool(principal.hasRole(.peerSystem)),
                sourceId.map { .int(Int64($0)) } ?? .null,
            ])
        return !rows.isEmpty
    }

    /// Whether `PEERS_INCOMING_ENABLED` is true now (the gateway caches this, SPEC §11 "Floods").
    public func isIncomingEnabled() async throws -> Bool {
        !(try await database.query("SELECT 1 WHERE \(Self.incomingEnabled)").isEmpty)
    }

    private static let incomingEnabled = """
        EXISTS (SELECT 1 FROM global_properties WHERE name = 'PEERS_INCOMING_ENABLED'
                AND lower(btrim(value, E' \\t\\r\\n')) = 'true')
        """

    /// Rows seen within the last hour and not cleared, most recent first.
    public func list() async throws -> [IncomingConnection] {
        try await database.query(
            """
            SELECT serial_number, issuer_dn, subject_dn, fingerprint_sha256, remote_address,
                   first_seen, last_seen, request_count, authorized, source_id
            FROM incoming_connections
            WHERE cleared_at IS NULL AND last_seen > now() - interval '1 hour'
            ORDER BY last_seen DESC
            """
        ).map { row in
            IncomingConnection(
                serialNumber: try row.decode(String.self, column: "serial_number"),
                issuerDN: try row.decode(String.self, column: "issuer_dn"),
                subjectDN: try row.decode(String.self, column: "subject_dn"),
                fingerprintSha256: try row.decode(String.self, column: "fingerprint_sha256"),
                remoteAddress: try row.decode(String.self, column: "remote_address"),
                firstSeen: RFC3339.string(from: try row.decode(Date.self, column: "first_seen")),
                lastSeen: RFC3339.string(from: try row.decode(Date.self, column: "last_seen")),
                requestCount: try row.decode(Int.self, column: "request_count"),
                authorized: try row.decode(Bool.self, column: "authorized"),
                sourceId: try row.decode(Int?.self, column: "source_id"))
        }
    }

    /// Hides a row from the list (it stays in the table for audit, and reappears when that peer
    /// connects again); 404 when there is no such visible row.
    public func clear(serialNumber: String, issuerMatch: String, by principal: Principal) async throws {
        try await database.withTransaction { connection in
            let rows = try await connection.query(
                """
                UPDATE incoming_connections SET cleared_at = now()
                WHERE serial_number = $1 AND issuer_match = $2 AND cleared_at IS NULL
                RETURNING subject_dn, issuer_dn
                """, [.text(serialNumber), .text(issuerMatch)])
            guard let row = rows.first else { throw Self.noSuchConnection }
            try await AuditLog.append(
                AuditEvent(
                    .incomingCleared, principal: principal,
                    details: [
                        "serialNumber": serialNumber, "issuerDN": try row.decode(String.self, column: "issuer_dn"),
                        "subjectDN": try row.decode(String.self, column: "subject_dn"),
                    ]), on: connection)
        }
    }

    /// The issuer DN as the row recorded it, for adding a rule from a row.
    public func recordedIssuer(serialNumber: String, issuerMatch: String) async throws -> String? {
        try await database.query(
            "SELECT issuer_dn FROM incoming_connections WHERE serial_number = $1 AND issuer_match = $2",
            [.text(serialNumber), .text(issuerMatch)]
        ).first?.decode(String.self, column: "issuer_dn")
    }
}
