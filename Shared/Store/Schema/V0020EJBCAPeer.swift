import SignPeerPostgres

/// The EJBCA peer protocol (SPEC §12): the answers kept so that EJBCA's byte-identical retries
/// get the first answer again (with the version of the worker the answer left behind, so an
/// answer is not replayed once the binding moved on), and the sourceId of binary-protocol peers
/// in the registry.
enum V0020EJBCAPeer {
    static let migration = Migration(
        version: 20, name: "ejbca_peer",
        sql: #"""
            CREATE TABLE ejbca_peer_replies (
                client_fingerprint text NOT NULL,
                source_id          integer NOT NULL,
                message_id         bigint NOT NULL,
                request_sha256     text NOT NULL,
                state              text NOT NULL CHECK (state IN ('pending', 'done')),
                reply              bytea,
                worker_id          integer,
                worker_version     bigint,
                created_at         timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (client_fingerprint, source_id, message_id),
                CHECK ((state = 'done') = (reply IS NOT NULL))
            );
            CREATE INDEX ejbca_peer_replies_created ON ejbca_peer_replies (created_at);

            ALTER TABLE incoming_connections ADD COLUMN source_id integer;
            """#)
}
