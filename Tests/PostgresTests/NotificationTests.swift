import SignPeerPostgres
import SignPeerTestSupport
import Testing

@Suite("LISTEN/NOTIFY")
struct NotificationTests {
    /// A session listening on `channel`, and a pool to notify it through.
    static func listening(on channel: String) async throws -> (PostgresConnection, PostgresClient) {
        let configuration = PostgresConfiguration(connectionString: try await sharedPostgres().connectionString)
        let listener = try await PostgresConnection.connect(configuration, logger: testLogger)
        try await listener.execute("LISTEN \(channel)")
        return (listener, PostgresClient(configuration: configuration, logger: testLogger))
    }

    @Test func notificationsAreDrainedByPolling() async throws {
        let (listener, client) = try await Self.listening(on: "worker_changed")
        #expect(try await listener.notifications().isEmpty)

        try await client.query("SELECT pg_notify('worker_changed', $1)", ["42"])
        try await client.execute("NOTIFY worker_changed, 'plain'")

        var received: [PostgresNotification] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while received.count < 2 && ContinuousClock.now < deadline {
            received += try await listener.notifications()
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(received.map(\.payload) == ["42", "plain"])
        #expect(received.allSatisfy { $0.channel == "worker_changed" })
        #expect(try await listener.notifications().isEmpty)
        await listener.close()
        await #expect(throws: PostgresError.closed) { try await listener.notifications() }
        await client.shutdown()
    }

    @Test func aWaitEndsWhenANotificationComesOrItsTimeIsUp() async throws {
        let (listener, client) = try await Self.listening(on: "version_moved")

        let quiet = ContinuousClock.now
        #expect(try await listener.notifications(waitingUpTo: .milliseconds(300)).isEmpty)
        #expect(ContinuousClock.now - quiet >= .milliseconds(250))

        let started = ContinuousClock.now
        async let received = listener.notifications(waitingUpTo: .seconds(20))
        try await Task.sleep(for: .milliseconds(200))
        try await client.execute("NOTIFY version_moved, '7'")
        #expect(try await received.map(\.payload) == ["7"])
        #expect(ContinuousClock.now - started < .seconds(10), "woken by the notification, not by the time")
        await listener.close()
        await client.shutdown()
    }
}
