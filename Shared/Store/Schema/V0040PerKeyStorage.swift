import SignPeerPostgres

/// Per-key storage for `KeystoreInConfigCryptoToken` (SPEC §6, §13), so that generating,
/// removing or using one key touches only that key's row instead of re-encoding one PKCS#12 blob
/// that grows with every renewal:
/// - `token_kdf`: per token, how its key-encryption key is derived from the authentication code
///   (algorithm, iterations, salt) and a check value sealed under it, which tells a wrong code
///   without decrypting any key;
/// - `token_keys`: one row per alias, the PKCS#8 private key sealed with AES-256-GCM under that
///   key (alias and token id as associated data), the public key and the certificate chain
///   installed for it;
/// - `superseded_keys`: which worker's DEFAULTKEY an install replaced, and when, so that
///   `PEERS_KEEPOLDKEYS` prunes only that worker's own old keys.
/// Existing `key_stores` rows stay until the token's next activation converts them (the code is
/// needed to read them) and deletes them in the same transaction.
enum V0040PerKeyStorage {
    static let migration = Migration(
        version: 40, name: "per-key token storage",
        sql: #"""
            CREATE TABLE token_kdf (
                worker_id   integer PRIMARY KEY REFERENCES workers (id) ON DELETE CASCADE,
                algorithm   text NOT NULL,
                iterations  integer NOT NULL CHECK (iterations > 0),
                salt        bytea NOT NULL,
                check_value bytea NOT NULL,
                created_at  timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE token_keys (
                worker_id          integer NOT NULL REFERENCES token_kdf (worker_id) ON DELETE CASCADE,
                alias              text NOT NULL,
                sealed_private_key bytea NOT NULL,
                public_key_info    bytea NOT NULL,
                certificate_chain  text,
                created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (worker_id, alias)
            );

            CREATE TABLE superseded_keys (
                token_worker_id integer NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
                alias           text NOT NULL,
                worker_id       integer NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
                superseded_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
                seq             bigserial,
                PRIMARY KEY (token_worker_id, alias)
            );
            CREATE INDEX superseded_keys_worker ON superseded_keys (worker_id, seq DESC);
            """#)
}
