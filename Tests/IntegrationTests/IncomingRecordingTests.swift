import Foundation
import SignPeerTestSupport
import Testing

/// SPEC §4 and §13: every accepted peer request is counted in the incoming-connection registry,
/// while a busy peer costs about one registry write a second instead of one per request.
@Suite("Incoming-connection recording", .serialized)
struct IncomingRecordingTests {
    @Test func aBusyPeerIsCountedExactlyWithAboutOneWriteASecond() async throws {
        let system = try await SignPeerSystem(name: "recording")
        defer { system.shutdown() }
        try await system.start()
        _ = try await system.cli(["setproperty", "global", "PEERS_INCOMING_ENABLED", "true"])
        _ = try await system.cli(["wspeersystems", "-add", "-cert", system.pki + "/peer.pem"])

        let start = ContinuousClock.now
        let statuses = try await system.curlFlood(
            url: "https://127.0.0.1:\(system.gatewayPort)/peer/v1/ping", count: 400, parallel: 8,
            options: system.curlConfigIdentity("peer"))
        let seconds = Int((ContinuousClock.now - start).components.seconds) + 1
        #expect(statuses == [200: 400], "\(statuses)")
        try await waitFor(system, "SELECT request_count || '|' || authorized FROM incoming_connections", "400|true")

        // Rows written to the registry, from PostgreSQL's statistics, which a backend reports when
        // it exits: the gateway's connections close with it.
        system.stop(.gateway)
        let writes = Int(
            try await system.sql(
                "SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE relname = 'incoming_connections'")) ?? -1
        // One write when the flood began (requests arriving meanwhile are folded into its window),
        // then one per ended one-second window, and one more for the last at most.
        #expect(writes >= 1 && writes <= seconds + 2, "\(writes) registry writes for 400 requests in \(seconds) s")
        try system.start(.gateway)
        try await system.waitUntilReady()

        // A refusal right after accepted requests writes their count first, then its own row.
        _ = try await system.curlFlood(
            url: "https://127.0.0.1:\(system.gatewayPort)/peer/v1/ping", count: 20, parallel: 2,
            options: system.curlConfigIdentity("peer"))
        let serial = try await system.opensslSerial("peer")
        let removed = try await system.cli([
            "wspeersystems", "-remove", "-certserialno", serial, "-issuerdn", "CN=SignPeer Demo CA, O=SignPeer Demo, C=SE",
        ])
        #expect(removed.stdout.contains("Rule removed"), "\(removed.stdout) \(removed.stderr)")
        try await Task.sleep(for: .milliseconds(700))  // the role cache (500 ms in tests)
        #expect(try await system.curl("/peer/v1/ping", as: "peer").status == 403)
        #expect(try await system.sql("SELECT request_count || '|' || authorized FROM incoming_connections") == "421|false")
    }

    @Test func aGracefulStopWritesTheCountsStillPending() async throws {
        let system = try await SignPeerSystem(name: "recordingstop")
        defer { system.shutdown() }
        try await system.start()
        _ = try await system.cli(["setproperty", "global", "PEERS_INCOMING_ENABLED", "true"])
        _ = try await system.cli(["wspeersystems", "-add", "-cert", system.pki + "/peer.pem"])
        let statuses = try await system.curlFlood(
            url: "https://127.0.0.1:\(system.gatewayPort)/peer/v1/ping", count: 200, parallel: 4,
            options: system.curlConfigIdentity("peer"))
        #expect(statuses == [200: 200], "\(statuses)")
        system.stop(.gateway)
        let counted = try await system.sql("SELECT request_count FROM incoming_connections")
        #expect(counted == "200", "\(system.log(.gateway).split(separator: "\n").suffix(5).joined(separator: "\n"))")
    }

    private func waitFor(_ system: SignPeerSystem, _ query: String, _ expected: String) async throws {
        var value = ""
        for _ in 0..<60 {
            value = try await system.sql(query)
            if value == expected { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(query) = \(value), expected \(expected)")
    }
}
