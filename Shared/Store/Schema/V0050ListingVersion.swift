import SignPeerPostgres

/// `listing_version`: one counter that every change a key-binding listing can show moves
/// forward, so a gateway can answer a listing from the one it kept for as long as the counter
/// stands still (SPEC §13) and still read its writes.
///
/// Deferred constraint triggers on `workers` and `worker_properties` move it once per writing
/// transaction, at its commit: a reader sees the new value together with the committed rows, and
/// the counter row is the last lock a writer takes (held only while it commits), so writers that
/// lock workers in any order cannot deadlock on it. The renewal service moves it after each change
/// of what it holds in memory (``ListingVersion/bump(in:)``).
enum V0050ListingVersion {
    static let migration = Migration(
        version: 50, name: "listing version",
        sql: #"""
            CREATE TABLE listing_version (
                only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
                version  bigint NOT NULL
            );
            INSERT INTO listing_version (version) VALUES (1);

            CREATE FUNCTION bump_listing_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- Row triggers: only the first of a transaction moves the counter.
                IF current_setting('signpeer.listing_version_bumped', true) = 'yes' THEN
                    RETURN NULL;
                END IF;
                PERFORM set_config('signpeer.listing_version_bumped', 'yes', true);
                UPDATE listing_version SET version = version + 1;
                RETURN NULL;
            END
            $$;

            CREATE CONSTRAINT TRIGGER workers_listing_version
                AFTER INSERT OR UPDATE OR DELETE ON workers
                DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION bump_listing_version();
            CREATE CONSTRAINT TRIGGER worker_properties_listing_version
                AFTER INSERT OR UPDATE OR DELETE ON worker_properties
                DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION bump_listing_version();
            """#)
}
