import SignPeerPostgres
import SignPeerTestSupport
import Testing

@Suite("Recovery after a PostgreSQL restart")
struct ReconnectTests {
    @Test func queriesSucceedAfterRestart() async throws {
        // A cluster of its own: restarting the shared one would break other tests.
        // initdb and pg_ctl block for seconds: on a thread of their own, not the cooperative pool.
        let postgres = try await onOwnThread { try TemporaryPostgres() }
        defer { try? postgres.stop() }
        let client = PostgresClient(
            configuration: PostgresConfiguration(
                connectionString: postgres.connectionString, maxConnections: 2),
            logger: testLogger)
        try await withThrowingTaskGroup { group in
            for _ in 0..<2 { group.addTask { try await client.query("SELECT pg_sleep(0.05)") } }
            try await group.waitForAll()
        }
        #expect(await client.statistics.idle == 2)

        try await onOwnThread { try postgres.restart() }

        // Both idle connections are dead; each acquire must notice and reconnect.
        for _ in 0..<3 {
            #expect(
                try await client.query("SELECT 1 AS one")[0].decode(Int.self, column: "one") == 1)
        }
        let value = try await client.withTransaction { connection in
            try await connection.query("SELECT 2 AS two")[0].decode(Int.self, column: "two")
        }
        #expect(value == 2)

        // A connection held across the restart fails with connectionLost and is dropped.
        try await client.withConnection { connection in
            try await onOwnThread { try postgres.restart() }
            await #expect(throws: PostgresError.connectionLost) {
                try await connection.query("SELECT 1")
            }
        }
        #expect(try await client.query("SELECT 1").count == 1)
        await client.shutdown()
    }
}
