import Foundation
import SignPeerTestSupport
import Testing

extension HostileTests {
    /// SPEC §11 "Floods": refused peer requests cost a cache look-up once seen; the registry row and
    /// the `PEER_REQUEST_DENIED` audit row are written at most once per certificate and reason per
    /// window (2 s here, 60 s by default), with the count they stand for, and the registry's request
    /// count stays exact.
    @Suite("Refused floods", .serialized)
    struct RefusalFloodTests {
        @Test func fiveHundredRefusedPingsWriteAHandfulOfRowsAndExactCounts() async throws {
            let system = try await SignPeerSystem(name: "refusals")
            defer { system.shutdown() }
            try await system.start()
            let ping = "https://127.0.0.1:\(system.gatewayPort)/peer/v1/ping"
            let denied = "SELECT count(*) FROM audit_log WHERE event = 'PEER_REQUEST_DENIED'"
            func countedRefusals(_ reason: String) async throws -> String {
                try await system.sql(
                    "SELECT coalesce(sum((details::jsonb->>'count')::int), 0) FROM audit_log WHERE event = 'PEER_REQUEST_DENIED' AND details::jsonb->>'reason' = '\(reason)'")
            }

            // Incoming connections off: 500 refusals, a handful of audit rows, no registry row. The
            // window (60 s) outlasts the flood; a graceful stop writes what it still counts.
            var statuses = try await system.curlFlood(url: ping, count: 500, parallel: 8, options: system.curlConfigIdentity("peer"))
            #expect(statuses == [403: 500], "\(statuses)")
            #expect(try await system.sql(denied) == "1", "the first refusal is written at once, the rest folded")
            system.stop(.gateway)
            let auditDisabled = Int(try await system.sql(denied))!
            #expect(auditDisabled >= 1 && auditDisabled <= 5, "\(auditDisabled) audit rows for 500 refusals")
            #expect(try await countedRefusals("peers_incoming_disabled") == "500", "the rows stand for every refusal")
            #expect(try await system.sql("SELECT count(*) FROM incoming_connections") == "0")

            // Incoming on, the peer not authorized: the registry counts every refusal exactly.
            try system.start(.gateway)
            try await system.waitUntilReady()
            _ = try await system.cli(["setproperty", "global", "PEERS_INCOMING_ENABLED", "true"])
            statuses = try await system.curlFlood(url: ping, count: 500, parallel: 8, options: system.curlConfigIdentity("peer"))
            #expect(statuses == [403: 500], "\(statuses)")
            #expect(try await system.sql("SELECT request_count FROM incoming_connections") == "1")
            system.stop(.gateway)
            #expect(try await system.sql("SELECT request_count || '|' || authorized FROM incoming_connections") == "500|false")
            let auditUnauthorized = Int(try await system.sql(denied))! - auditDisabled
            #expect(auditUnauthorized >= 1 && auditUnauthorized <= 5, "\(auditUnauthorized) audit rows for 500 refusals")
            #expect(try await countedRefusals("peer_not_authorized") == "500", "the rows stand for every refusal")
            try system.start(.gateway)
            try await system.waitUntilReady()
            #expect(try await system.cli(["auditlog", "-verify"]).status == 0)
        }

        /// A short window (2 s): counts of ended windows are written by the recorder while the
        /// gateway runs, not only at shutdown.
        @Test func endedWindowsAreWrittenWhileRunning() async throws {
            let system = try await SignPeerSystem(name: "refusalwindow")
            defer { system.shutdown() }
            try await system.start(extraEnvironment: ["SIGNPEER_REFUSAL_WINDOW": "2"])
            _ = try await system.cli(["setproperty", "global", "PEERS_INCOMING_ENABLED", "true"])
            let statuses = try await system.curlFlood(
                url: "https://127.0.0.1:\(system.gatewayPort)/peer/v1/ping", count: 100, parallel: 4,
                options: system.curlConfigIdentity("peer"))
            #expect(statuses == [403: 100], "\(statuses)")
            try await waitForCount(system, "SELECT request_count FROM incoming_connections", 100)
        }

        @Test func anAuthorizedPeersListingLatencyDoesNotMoveDuringARefusedFlood() async throws {
            let system = try await SignPeerSystem(name: "refusallatency")
            defer { system.shutdown() }
            try await system.start()
            try await system.admitDemoPeer()
            try await system.issueClientCertificate(
                "stranger", subject: "/C=SE/O=SignPeer Demo/CN=Stranger",
                extensions: "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n")
            _ = try await system.makeSigner("Latency")

            let quiet = try await listingLatencies(system, count: 30)
            let flood = Task {
                try await system.curlFlood(
                    url: "https://127.0.0.1:\(system.gatewayPort)/peer/v1/ping", count: 1500, parallel: 4,
                    options: system.curlConfigIdentity("stranger"))
            }
            try await Task.sleep(for: .milliseconds(300))
            let loaded = try await listingLatencies(system, count: 30)
            let statuses = try await flood.value
            #expect(statuses[403, default: 0] == 1500, "\(statuses)")
            let auditRows = try await system.sql(
                "SELECT count(*) FROM audit_log WHERE event = 'PEER_REQUEST_DENIED'")
            #expect(Int(auditRows)! <= 5, "\(auditRows) audit rows for 1500 refusals")
            // Relative, not absolute: the median under the flood stays within a small factor of the
            // quiet one (the flood's own TLS handshakes share the two cores).
            #expect(median(loaded) < median(quiet) * 4 + 0.02, "quiet \(median(quiet)) s, flooded \(median(loaded)) s")
        }

        func listingLatencies(_ system: SignPeerSystem, count: Int) async throws -> [Double] {
            var times: [Double] = []
            for _ in 0..<count {
                let result = try await system.curl(
                    "/peer/v1/keybindings", as: "peer", extra: ["-o", "/dev/null", "-w", "%{time_starttransfer} %{time_appconnect}\n%{http_code}"])
                let fields = result.body.split(separator: " ").compactMap { Double($0) }
                #expect(result.status == 200)
                if fields.count == 2 { times.append(fields[0] - fields[1]) }  // after the handshake
            }
            return times
        }

        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        }

        /// Waits (bounded) until `query` answers `expected`: batched counts land within a window.
        func waitForCount(_ system: SignPeerSystem, _ query: String, _ expected: Int) async throws {
            var value = ""
            for _ in 0..<120 {
                value = try await system.sql(query)
                if Int(value) == expected { return }
                try await Task.sleep(for: .milliseconds(250))
            }
            Issue.record("\(query) = \(value), expected \(expected)")
        }
    }
}
