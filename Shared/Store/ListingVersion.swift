import SignPeerPostgres

/// The counter of migration 50 (``V0050ListingVersion``): what a kept key-binding listing is
/// checked against.
public enum ListingVersion {
    /// The channel every move is announced on, with the new value (migration 60).
    public static let channel = "listing_version"

    public static func current(in database: PostgresClient) async throws -> Int64 {
        try await database.query("SELECT version FROM listing_version").first?.decode(Int64.self, at: 0) ?? 0
    }

    /// Moves the counter after a change a listing shows that no table write carries (the renewal
    /// service's tokens in memory). Committed on its own without waiting for the WAL flush, so a
    /// renewal does not wait for a second one: the counter only tells gateways to fetch again, and
    /// a crash that lost this move costs at most a gateway's cache age.
    public static func bump(in database: PostgresClient) async throws {
        try await database.execute(
            """
            WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
            UPDATE listing_version SET version = version + 1 FROM relaxed
            """)
    }
}
