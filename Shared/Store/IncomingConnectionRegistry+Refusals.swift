import SignPeerCore
import SignPeerPostgres

extension IncomingConnectionRegistry {
    /// Adds `count` refused requests to the certificate's registry row (creating it), as not
    /// authorized; part of the transaction that audits them (the gateway's folded refusals).
    /// `sourceId` is the node id of an EJBCA peer-protocol frame, kept so the admin sees it.
    public static func recordRefused(
        _ principal: Principal, issuerMatch: String, remoteAddress: String, count: Int, sourceId: Int32? = nil,
        on connection: PostgresConnection
    ) async throws {
        _ = try await connection.execute(
            """
            INSERT INTO incoming_connections
                (serial_number, issuer_match, issuer_dn, subject_dn, fingerprint_sha256, remote_address, authorized,
                 request_count, source_id)
            VALUES ($1, $2, $3, $4, $5, $6, false, $7, $8)
            ON CONFLICT (serial_number, issuer_match) DO UPDATE SET
                issuer_dn = excluded.issuer_dn, subject_dn = excluded.subject_dn,
                fingerprint_sha256 = excluded.fingerprint_sha256, remote_address = excluded.remote_address,
                last_seen = now(), request_count = incoming_connections.request_count + excluded.request_count,
                authorized = false, cleared_at = NULL,
                source_id = coalesce(excluded.source_id, incoming_connections.source_id)
            """,
            [
                .text(principal.serialNumber), .text(issuerMatch), .text(principal.issuerDN),
                .text(principal.subjectDN), .text(principal.fingerprintSHA256), .text(remoteAddress),
                .int(Int64(count)), sourceId.map { .int(Int64($0)) } ?? .null,
            ])
    }
}
