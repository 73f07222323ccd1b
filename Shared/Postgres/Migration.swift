import Logging

/// One versioned schema change. Versions are applied in ascending order, each exactly once.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    /// One or more SQL statements, run in one transaction.
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Brings a database's schema up to date, safely from several processes at once.
///
/// Every step is a transaction that first takes a transaction-scoped advisory lock, so
/// concurrent runs (several replicas starting together) queue up instead of racing: the first
/// applies a migration, the others find it recorded in `schema_migrations` and skip it. The lock
/// is released by `COMMIT`/`ROLLBACK` and by the server if the connection dies, so it never leaks.
public enum Migrator {
    /// The `pg_advisory_xact_lock` key, "SignPeer" in ASCII.
    public static let advisoryLockKey: Int64 = 0x5369_676E_5065_6572

    /// Applies every migration whose version is not yet in `schema_migrations`, each in its own
    /// transaction together with its `schema_migrations` row.
    public static func run(
        _ migrations: [Migration], on client: PostgresClient, logger: Logger
    )
        async throws
    {
        let ordered = migrations.sorted { $0.version < $1.version }
        precondition(
            Set(ordered.map(\.version)).count == ordered.count, "migration versions must be unique")
        try await client.withTransaction { connection in
            try await lock(connection)
            try await connection.executeScript(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
        }
        for migration in ordered {
            let applied = try await client.withTransaction { connection in
                try await lock(connection)
                let recorded = try await connection.query(
                    "SELECT 1 FROM schema_migrations WHERE version = $1",
                    [.int(Int64(migration.version))])
                guard recorded.isEmpty else { return false }
                try await connection.executeScript(migration.sql)
                try await connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [.int(Int64(migration.version)), .text(migration.name)])
                return true
            }
            if applied {
                logger.info(
                    "applied migration",
                    metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
        }
    }

    private static func lock(_ connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock($1)", [.int(advisoryLockKey)])
    }
}
