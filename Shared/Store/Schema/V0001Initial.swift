import SignPeerPostgres

/// The first schema: workers and their properties, global configuration, role rules, the
/// incoming-connection registry, key stores and the audit log (SPEC §3, §4, §6, §10).
enum V0001Initial {
    static let migration = Migration(
        version: 1, name: "initial",
        sql: #"""
            CREATE TABLE workers (
                id          integer PRIMARY KEY CHECK (id > 0),
                name        text NOT NULL CHECK (name ~ '^[A-Za-z0-9_.-]{1,128}$'),
                type        text NOT NULL CHECK (type IN ('PROCESSABLE', 'CRYPTO_WORKER', 'TIMED_SERVICE', 'SPECIAL')),
                version     bigint NOT NULL DEFAULT 1,
                created_at  timestamptz NOT NULL DEFAULT now(),
                updated_at  timestamptz NOT NULL DEFAULT now()
            );
            CREATE UNIQUE INDEX workers_name_key ON workers (upper(name));

            CREATE TABLE worker_properties (
                worker_id   integer NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
                name        text NOT NULL CHECK (name = upper(name) AND name <> ''),
                value       text NOT NULL,
                PRIMARY KEY (worker_id, name)
            );

            CREATE TABLE global_properties (
                name        text PRIMARY KEY CHECK (name = upper(name) AND name <> ''),
                value       text NOT NULL
            );

            CREATE TABLE role_rules (
                id            bigserial PRIMARY KEY,
                role          text NOT NULL CHECK (role IN ('ADMIN', 'AUDITOR', 'ARCHIVE_AUDITOR', 'PEER_SYSTEM')),
                serial_number text NOT NULL CHECK (serial_number ~ '^(0|[1-9a-f][0-9a-f]*)$'),
                issuer_dn     text NOT NULL,
                issuer_match  text NOT NULL,
                created_at    timestamptz NOT NULL DEFAULT now(),
                UNIQUE (role, serial_number, issuer_match)
            );
            CREATE INDEX role_rules_lookup ON role_rules (serial_number, issuer_match);

            CREATE TABLE incoming_connections (
                serial_number      text NOT NULL,
                issuer_match       text NOT NULL,
                issuer_dn          text NOT NULL,
                subject_dn         text NOT NULL,
                fingerprint_sha256 text NOT NULL,
                remote_address     text NOT NULL,
                first_seen         timestamptz NOT NULL DEFAULT now(),
                last_seen          timestamptz NOT NULL DEFAULT now(),
                request_count      bigint NOT NULL DEFAULT 1,
                authorized         boolean NOT NULL DEFAULT false,
                cleared_at         timestamptz,
                PRIMARY KEY (serial_number, issuer_match)
            );
            CREATE INDEX incoming_connections_last_seen ON incoming_connections (last_seen DESC);

            CREATE TABLE key_stores (
                worker_id   integer PRIMARY KEY REFERENCES workers (id) ON DELETE CASCADE,
                pkcs12      bytea NOT NULL,
                updated_at  timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE audit_log (
                seq                bigint PRIMARY KEY,
                time               timestamptz NOT NULL DEFAULT now(),
                event              text NOT NULL,
                outcome            text NOT NULL CHECK (outcome IN ('SUCCESS', 'FAILURE')),
                principal_serial   text,
                principal_issuer   text,
                principal_subject  text,
                worker_id          integer,
                worker_name        text,
                details            text NOT NULL DEFAULT '{}',
                previous_hash      text NOT NULL,
                hash               text NOT NULL
            );
            CREATE INDEX audit_log_event ON audit_log (event, seq DESC);
            CREATE INDEX audit_log_worker ON audit_log (worker_id, seq DESC);
            """#)
}
