import SignPeerPostgres
import SignPeerTestSupport
import Testing

@Suite("Migrations")
struct MigratorTests {
    let migrations = [
        Migration(version: 2, name: "seed", sql: "INSERT INTO counters (name) VALUES ('applied')"),
        Migration(
            version: 1, name: "create",
            sql: """
                CREATE TABLE counters (name text NOT NULL);
                CREATE INDEX counters_name ON counters (name);
                """),
        Migration(
            version: 3, name: "column", sql: "ALTER TABLE counters ADD COLUMN n int DEFAULT 0"),
    ]

    @Test func concurrentRunsApplyEachMigrationOnce() async throws {
        let database = try await sharedPostgres().createDatabase(name: "migrate")
        let clients = (0..<2).map { _ in
            PostgresClient(
                configuration: PostgresConfiguration(connectionString: database), logger: testLogger
            )
        }
        try await withThrowingTaskGroup { group in
            for client in clients {
                group.addTask { try await Migrator.run(migrations, on: client, logger: testLogger) }
            }
            try await group.waitForAll()
        }
        let client = clients[0]
        #expect(
            try await client.query("SELECT count(*) FROM counters")[0].decode(Int.self, at: 0) == 1)
        let versions = try await client.query(
            "SELECT version, name FROM schema_migrations ORDER BY version"
        )
        .map { try $0.decode(Int.self, column: "version") }
        #expect(versions == [1, 2, 3])

        // Running again changes nothing; a later migration is picked up.
        try await Migrator.run(
            migrations + [
                Migration(
                    version: 4, name: "more", sql: "INSERT INTO counters (name) VALUES ('four')")
            ],
            on: clients[1], logger: testLogger)
        #expect(
            try await client.query("SELECT count(*) FROM counters")[0].decode(Int.self, at: 0) == 2)
        for client in clients { await client.shutdown() }
    }

    @Test func failingMigrationIsRolledBackAndNotRecorded() async throws {
        let client = try await makeClient("migrate_fail")
        let broken = [
            Migration(version: 1, name: "ok", sql: "CREATE TABLE a (id int)"),
            Migration(
                version: 2, name: "broken", sql: "CREATE TABLE b (id int); SELECT * FROM missing"),
        ]
        let error = await #expect(throws: PostgresError.self) {
            try await Migrator.run(broken, on: client, logger: testLogger)
        }
        #expect(error?.sqlState == "42P01")
        let versions = try await client.query("SELECT version FROM schema_migrations").map {
            try $0.decode(Int.self, at: 0)
        }
        #expect(versions == [1])
        #expect(
            try await client.query("SELECT to_regclass('b') IS NULL AS gone")[0].decode(
                Bool.self, at: 0))
        await client.shutdown()
    }
}
