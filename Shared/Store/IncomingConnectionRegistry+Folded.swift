import SignPeerCore
import SignPeerPostgres

/// Registry writes that stand for several requests at once: the gateway folds a certificate's
/// refused requests (SPEC §11 "Floods") and its accepted ones (SPEC §13) into one write each.
extension IncomingConnectionRegistry {
    /// Adds `count` refused requests to the certificate's registry row (creating it), as not
    /// authorized; part of the transaction that audits them (the gateway's folded refusals).
    /// `sourceId` is the node id of an EJBCA peer-protocol frame, kept so the admin sees it.
    public static func recordRefused(
        _ principal: Principal, issuerMatch: String, remoteAddress: String, count: Int, sourceId: Int32? = nil,
        on connection: PostgresConnection
    ) async throws {
        _ = try await connection.execute(
            addSQL, addParameters(principal, issuerMatch, remoteAddress, count, authorized: false, sourceId))
    }

    /// Adds `count` accepted requests to the certificate's registry row (creating it), as
    /// authorized, through the ``recording`` pool (bookkeeping: no wait for the WAL flush).
    public func recordAccepted(
        _ principal: Principal, issuerMatch: String, remoteAddress: String, count: Int, sourceId: Int32? = nil
    ) async throws {
        try await recording.execute(
            Self.addSQL, Self.addParameters(principal, issuerMatch, remoteAddress, count, authorized: true, sourceId))
    }

    private static let addSQL = """
        INSERT INTO incoming_connections
            (serial_number, issuer_match, issuer_dn, subject_dn, fingerprint_sha256, remote_address, authorized,
             request_count, source_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (serial_number, issuer_match) DO UPDATE SET
            issuer_dn = excluded.issuer_dn, subject_dn = excluded.subject_dn,
            fingerprint_sha256 = excluded.fingerprint_sha256, remote_address = excluded.remote_address,
            last_seen = now(), request_count = incoming_connections.request_count + excluded.request_count,
            authorized = excluded.authorized, cleared_at = NULL,
            source_id = coalesce(excluded.source_id, incoming_connections.source_id)
        """

    private static func addParameters(
        _ principal: Principal, _ issuerMatch: String, _ remoteAddress: String, _ count: Int, authorized: Bool,
        _ sourceId: Int32?
    ) -> [PostgresValue] {
        [
            .text(principal.serialNumber), .text(issuerMatch), .text(principal.issuerDN), .text(principal.subjectDN),
            .text(principal.fingerprintSHA256), .text(remoteAddress), .bool(authorized), .int(Int64(count)),
            sourceId.map { .int(Int64($0)) } ?? .null,
        ]
    }
}
