import Foundation
import SignPeerTestSupport
import Testing

/// PostgreSQL going away is a dependency down (SPEC §8): 503 `service_unavailable` with
/// `Retry-After`, and each service's log names the cause — on a cluster of the test's own, since
/// the shared one serves every other suite.
@Suite("Database outage")
struct DatabaseOutageTests {
    @Test func peerRequestsAnswer503WithRetryAfterAndTheLogNamesTheCause() async throws {
        // initdb and pg_ctl block for seconds: never on the cooperative pool the other suites share.
        let postgres = try await Self.onOwnThread { try TemporaryPostgres() }
        let system = try await SignPeerSystem(name: "outage", postgres: postgres)
        defer { system.shutdown() }
        try await system.start()
        try await system.admitDemoPeer()
        let id = try await system.makeSigner("Outage", properties: ["KEYALG": "Ed25519"])
        #expect(try await system.curl("/peer/v1/ping", as: "peer").status == 200)

        try await Self.onOwnThread { try postgres.stop() }
        let headers = system.directory + "/outage-headers"
        for (path, method) in [("/peer/v1/ping", "GET"), ("/peer/v1/keybindings", "GET"), ("/peer/v1/keybindings/\(id)/renewal", "POST")] {
            let response = try await system.curl(path, as: "peer", extra: ["-X", method, "-D", headers])
            #expect(response.status == 503, "\(path): \(response.body)")
            #expect(response.errorCode == "service_unavailable", "\(path): \(response.body)")
            let head = try String(contentsOfFile: headers, encoding: .utf8).lowercased()
            #expect(head.contains("retry-after: "), "\(path): \(head)")
        }
        let failures = system.log(.gateway).split(separator: "\n").filter { $0.contains("request failed") }
        #expect(failures.contains { $0.contains("code=service_unavailable") && $0.contains("PostgreSQL") && $0.contains("request_id=") },
            "\(failures)")
        // An internal service answers its own 503 the same way and logs why.
        let direct = try await ProcessRunner.run(
            "curl",
            [
                "-s", "-D", "-", "-H", "Authorization: Bearer \(system.internalToken)", "-H", "X-Request-ID: outage-direct",
                "http://127.0.0.1:\(system.keyBindingsPort)/internal/v1/keybindings",
            ])
        #expect(direct.stdout.hasPrefix("HTTP/1.1 503"), "\(direct.stdout)")
        #expect(direct.stdout.lowercased().contains("retry-after: "))
        #expect(system.log(.keybindings).split(separator: "\n").contains {
            $0.contains("request failed") && $0.contains("PostgreSQL") && $0.contains("request_id=outage-direct")
        }, "\(system.log(.keybindings).suffix(2000))")
    }

    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
