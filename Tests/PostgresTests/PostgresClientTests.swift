import Foundation
import SignPeerPostgres
import SignPeerTestSupport
import Testing

@Suite("Pool and transactions")
struct PostgresClientTests {
    @Test func transactionCommitsOnSuccessAndRollsBackOnError() async throws {
        let client = try await makeClient()
        try await client.execute("CREATE TABLE items (name text PRIMARY KEY)")
        let committed = try await client.withTransaction { connection in
            try await connection.execute("INSERT INTO items VALUES ($1)", ["kept"])
        }
        #expect(committed == 1)
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await client.withTransaction(isolationLevel: .serializable) { connection in
                try await connection.execute("INSERT INTO items VALUES ($1)", ["discarded"])
                throw Abort()
            }
        }
        let names = try await client.query("SELECT name FROM items ORDER BY name").map {
            try $0.decode(String.self, column: "name")
        }
        #expect(names == ["kept"])
        #expect(await client.statistics.inUse == 0)
        await client.shutdown()
    }

    @Test func caughtErrorInsideTransactionRollsBackAndThrows() async throws {
        let client = try await makeClient()
        try await client.execute("CREATE TABLE items (name text PRIMARY KEY)")
        let error = await #expect(throws: PostgresError.self) {
            try await client.withTransaction { connection in
                try await connection.execute("INSERT INTO items VALUES ('a')")
                _ = try? await connection.execute("INSERT INTO items VALUES ('a')")
            }
        }
        #expect(error?.sqlState == "25P02")
        #expect(try await client.query("SELECT * FROM items").isEmpty)
        await client.shutdown()
    }

    @Test func uniqueViolationExposesSQLState() async throws {
        let client = try await makeClient()
        try await client.execute("CREATE TABLE users (email text UNIQUE)")
        try await client.execute("INSERT INTO users VALUES ($1)", ["secret@example.org"])
        let error = await #expect(throws: PostgresError.self) {
            try await client.execute("INSERT INTO users VALUES ($1)", ["secret@example.org"])
        }
        #expect(error?.sqlState == PostgresError.uniqueViolation)
        #expect(!"\(error!)".contains("secret"))
        // The connection is still usable afterwards.
        #expect(
            try await client.query("SELECT count(*) AS n FROM users")[0].decode(
                Int.self, column: "n") == 1)
        await client.shutdown()
    }

    @Test func poolIsBoundedAndTimesOut() async throws {
        // Long enough that a loaded CI machine still hands the released connection to the waiter
        // below in time.
        let client = try await makeClient(maxConnections: 2, acquireTimeout: .seconds(3))
        let release = AsyncStream.makeStream(of: Void.self)
        let holding = AsyncStream.makeStream(of: Void.self)
        let holders = Task {
            try await withThrowingTaskGroup { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await client.withConnection { _ in
                            holding.continuation.yield()
                            for await _ in release.stream { break }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var iterator = holding.stream.makeAsyncIterator()
        _ = await iterator.next()
        _ = await iterator.next()
        #expect(await client.statistics.inUse == 2)

        let started = ContinuousClock.now
        await #expect(throws: PostgresError.poolTimeout) {
            try await client.query("SELECT 1")
        }
        #expect(ContinuousClock.now - started >= .milliseconds(2900))

        // A waiter is served as soon as a holder gives its connection back.
        let waiter = Task {
            try await client.query("SELECT 2 AS n")[0].decode(Int.self, column: "n")
        }
        while await client.statistics.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        release.continuation.yield()
        #expect(try await waiter.value == 2)
        release.continuation.finish()
        try await holders.value
        let statistics = await client.statistics
        #expect(statistics.inUse == 0 && statistics.idle == 2 && statistics.waiting == 0)
        await client.shutdown()
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let client = try await makeClient(maxConnections: 1)
        try await client.withConnection { _ in
            let waiter = Task { try await client.query("SELECT 1") }
            while await client.statistics.waiting == 0 {
                try await Task.sleep(for: .milliseconds(5))
            }
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            #expect(await client.statistics.waiting == 0)
        }
        #expect(try await client.query("SELECT 1").count == 1)
        await client.shutdown()
    }

    @Test func libpqNeverBlocksTheCooperativePool() async throws {
        // Eight 2 s sleeps per thread of the cooperative pool (as wide as the machine has cores):
        // run on the pool they would take at least 16 s; on libpq's own threads they overlap.
        // (A ticker on the pool is no measure: the other suites of the process load it too.)
        let sleeps = max(16, 8 * ProcessInfo.processInfo.activeProcessorCount)
        let client = try await makeClient(maxConnections: sleeps)
        // Open the connections first so the measurement is of the sleeps alone.
        try await withThrowingTaskGroup { group in
            for _ in 0..<sleeps { group.addTask { try await client.query("SELECT pg_sleep(0.05)") } }
            try await group.waitForAll()
        }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup { group in
            for _ in 0..<sleeps { group.addTask { try await client.query("SELECT pg_sleep(2)") } }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(8), "\(sleeps) sleeps of 2 s took \(elapsed)")
        await client.shutdown()
    }

    @Test func terminatedIdleConnectionIsReplacedTransparently() async throws {
        let client = try await makeClient(maxConnections: 1)
        let pid = try await client.query("SELECT pg_backend_pid() AS pid")[0].decode(
            Int32.self, column: "pid")
        let admin = try await PostgresConnection.connect(
            PostgresConfiguration(connectionString: try await sharedPostgres().connectionString),
            logger: testLogger)
        try await admin.query("SELECT pg_terminate_backend($1::int)", [.int(Int64(pid))])
        await admin.close()
        try await Task.sleep(for: .milliseconds(100))
        let newPid = try await client.query("SELECT pg_backend_pid() AS pid")[0].decode(
            Int32.self, column: "pid")
        #expect(newPid != pid)
        await client.shutdown()
    }

    @Test func connectionLeftInTransactionIsNotReused() async throws {
        let client = try await makeClient(maxConnections: 1)
        let pid = try await client.withConnection { connection in
            try await connection.execute("BEGIN")
            return try await connection.query("SELECT pg_backend_pid() AS pid")[0].decode(
                Int32.self, column: "pid")
        }
        let next = try await client.query("SELECT pg_backend_pid() AS pid")[0].decode(
            Int32.self, column: "pid")
        #expect(next != pid)
        await client.shutdown()
    }

    @Test func shutdownClosesAndFailsLaterCalls() async throws {
        let client = try await makeClient(maxConnections: 1)
        let release = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await client.withConnection { _ in for await _ in release.stream { break } }
        }
        while await client.statistics.inUse == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let waiter = Task { try await client.query("SELECT 1") }
        while await client.statistics.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        await client.shutdown()
        await #expect(throws: PostgresError.closed) { try await waiter.value }
        release.continuation.finish()
        try await holder.value
        await #expect(throws: PostgresError.closed) { try await client.query("SELECT 1") }
        let statistics = await client.statistics
        #expect(statistics.inUse == 0 && statistics.idle == 0)
    }

    @Test func badConnectionStringFailsToConnect() async throws {
        let configuration = PostgresConfiguration(
            connectionString: "host=127.0.0.1 port=1 user=postgres dbname=none", connectTimeout: 2)
        let client = PostgresClient(configuration: configuration, logger: testLogger)
        await #expect {
            try await client.query("SELECT 1")
        } throws: { error in
            if case PostgresError.connectionFailed = error { return true }
            return false
        }
        #expect(await client.statistics.inUse == 0)
    }

    @Test func applicationNameOverridesTheConnectionString() async throws {
        let base = try await sharedPostgres().connectionString
        let port = try await sharedPostgres().port
        let connection = try await PostgresConnection.connect(
            PostgresConfiguration(
                connectionString: "postgresql://postgres@127.0.0.1:\(port)/signpeer?application_name=url",
                applicationName: "configured"),
            logger: testLogger)
        #expect(
            try await connection.query("SHOW application_name")[0].decode(String.self, at: 0)
                == "configured")
        let plain = try await PostgresConnection.connect(
            PostgresConfiguration(connectionString: base + " application_name=fromstring"),
            logger: testLogger)
        #expect(
            try await plain.query("SHOW application_name")[0].decode(String.self, at: 0)
                == "fromstring")
        #expect(try await plain.query("SHOW TimeZone")[0].decode(String.self, at: 0) == "UTC")
    }
}
