import SignPeerPostgres

/// Every move of `listing_version` (migration 50) is also announced on the `listing_version`
/// channel with the new value, delivered when the moving transaction commits: a gateway that
/// listens knows the version without asking for it on every listing (SPEC §13).
enum V0060ListingVersionNotify {
    static let migration = Migration(
        version: 60, name: "listing version notifications",
        sql: #"""
            CREATE FUNCTION notify_listing_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('listing_version', NEW.version::text);
                RETURN NULL;
            END
            $$;

            CREATE TRIGGER listing_version_notify
                AFTER UPDATE ON listing_version
                FOR EACH ROW EXECUTE FUNCTION notify_listing_version();
            """#)
}
