import SignPeerCore
import SignPeerPostgres

/// `superseded_keys` (migration 40): which worker's `DEFAULTKEY` an install replaced, and in which
/// order, so that `PEERS_KEEPOLDKEYS` prunes only that worker's own old keys (SPEC §13).
public enum SupersededKeyRows {
    /// Records that `alias` of the token held by `holder` stopped being the current key of `worker`.
    public static func record(_ alias: String, worker: Int, holder: Int, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO superseded_keys (token_worker_id, alias, worker_id) VALUES ($1, $2, $3)
            ON CONFLICT (token_worker_id, alias) DO UPDATE
                SET worker_id = excluded.worker_id, superseded_at = clock_timestamp(), seq = DEFAULT
            """, [.int(Int64(holder)), .text(alias), .int(Int64(worker))])
    }

    /// `worker`'s superseded aliases beyond the `keep` most recent, oldest first, leaving out any
    /// alias that a worker of the token (the holder itself, or one naming it in `CRYPTOTOKEN`)
    /// still names as `DEFAULTKEY` or `NEXTCERTSIGNKEY`.
    public static func beyond(
        keep: Int, worker: Int, holder: WorkerRecord, on connection: PostgresConnection
    ) async throws -> [String] {
        let rows = try await connection.query(
            """
            SELECT s.alias FROM superseded_keys s
            WHERE s.token_worker_id = $1 AND s.worker_id = $2
              AND NOT EXISTS (
                SELECT 1 FROM worker_properties p
                WHERE p.name IN ('DEFAULTKEY', 'NEXTCERTSIGNKEY') AND p.value = s.alias
                  AND (p.worker_id = $1 OR EXISTS (
                    SELECT 1 FROM worker_properties t
                    WHERE t.worker_id = p.worker_id AND t.name = 'CRYPTOTOKEN' AND upper(btrim(t.value)) = upper($3))))
            ORDER BY s.seq DESC OFFSET $4
            """, [.int(Int64(holder.id)), .int(Int64(worker)), .text(holder.name), .int(Int64(keep))])
        return try rows.map { try $0.decode(String.self, column: "alias") }.reversed()
    }

    public static func delete(_ alias: String, holder: Int, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "DELETE FROM superseded_keys WHERE token_worker_id = $1 AND alias = $2", [.int(Int64(holder)), .text(alias)])
    }
}
