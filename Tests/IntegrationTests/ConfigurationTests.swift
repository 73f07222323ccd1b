import Foundation
import SignPeerTestSupport
import Testing

/// Worker configuration through the CLI and the admin API: bad input answers a stable code and
/// changes nothing; concurrent writers lose nothing; a listing of 10,000 workers costs one query
/// and one internal call.
@Suite("Worker configuration", .serialized)
struct ConfigurationTests {
    /// Everything a bad-input test compares before and after.
    func snapshot(_ system: SignPeerSystem) async throws -> String {
        try await system.sql(
            """
            SELECT (SELECT count(*) FROM workers) || '/' || (SELECT count(*) FROM worker_properties) || '/' ||
                   (SELECT count(*) FROM global_properties) || '/' ||
                   coalesce((SELECT string_agg(name || '=' || value, ';' ORDER BY name) FROM global_properties), '')
            """)
    }

    @Test func badPropertyFilesAreRejectedWholeWithTheLineNumber() async throws {
        let system = try await SharedSystem.badInput.get()
        _ = try await system.cli(["setproperty", "global", "SEEN", "before"])
        let before = try await snapshot(system)
        let files: [(String, String)] = [
            ("WORKERGENID1.NAME=Good\nWORKERGENID1.PEERS_VISIBLE=true\nthis is not a property line\n", "Line 3"),
            ("GLOB.SEEN=after\nWORKERGENID1.PEERS_VISIBLE=true\n", "Line 2"),
            ("WORKERNoSuchWorker.KEYALG=RSA\n", "worker_not_found"),
            ("WORKERGENID1.NAME=Okay\nWORKERGENID1.PEERS_VISIBLE=maybe\n", "invalid_property"),
            ("WORKERGENID1.NAME=Bad Name!\n", "invalid_property"),
            ("WORKERGENID1.NAME=Typed\nWORKERGENID1.TYPE=SIGNER\n", "invalid_property"),
            ("WORKERGENID1.NAME=Cert\nWORKERGENID1.SIGNERCERTIFICATE=bm90IGEgY2VydA==\n", "invalid_certificate"),
            ("GLOB.=x\n", "invalid_property"),
            ("-GLOB\n", "invalid_property"),
        ]
        for (index, (text, expected)) in files.enumerated() {
            let path = system.directory + "/bad-\(index).properties"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let result = try await system.cli(["setproperties", path])
            #expect(result.status != 0, "\(text)")
            #expect(result.stderr.contains(expected), "\(text): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(try await snapshot(system) == before, "\(text) changed something")
        }
    }

    @Test func badCallsAnswerAStableCodeAndChangeNothing() async throws {
        let system = try await SharedSystem.badInput.get()
        let before = try await snapshot(system)
        let unknown = try await system.cli(["setproperty", "NoSuchWorker", "KEYALG", "RSA"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("worker_not_found"))
        #expect(try await system.cli(["getconfig", "12345"]).stderr.contains("worker_not_found"))
        #expect(try await system.cli(["removeworker", "NoSuchWorker"]).stderr.contains("worker_not_found"))
        #expect(try await system.cli(["setproperties", "/nonexistent/file"]).status != 0)

        let json = ["-X", "POST", "-H", "Content-Type: application/json"]
        let malformed = try await system.curl("/admin/v1/properties", as: "admin", extra: json + ["--data-binary", "{\"text\": "])
        #expect(malformed.status == 400)
        #expect(malformed.body.contains("\"invalid_request\""))
        let oversized = system.directory + "/oversized.json"
        try ("{\"text\": \"" + String(repeating: "#", count: 1_100_000) + "\"}").write(
            toFile: oversized, atomically: true, encoding: .utf8)
        let tooLarge = try await system.curl("/admin/v1/properties", as: "admin", extra: json + ["--data-binary", "@" + oversized])
        #expect(tooLarge.status == 413, "\(tooLarge.body.prefix(200))")
        #expect(tooLarge.body.contains("\"request_too_large\""))
        let badProperty = try await system.curl(
            "/admin/v1/global/properties/BAD%20NAME", as: "admin",
            extra: ["-X", "PUT", "-H", "Content-Type: application/json", "--data-binary", "{\"value\":\"x\"}"])
        #expect(badProperty.status == 400)
        #expect(badProperty.body.contains("\"invalid_property\""))
        #expect(try await snapshot(system) == before)
    }

    @Test func concurrentWritersNeverLoseAWrite() async throws {
        let system = try await SharedSystem.badInput.get()
        let file = system.directory + "/target.properties"
        try "WORKERGENID1.NAME=Contended\nWORKERGENID1.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try await system.cli(["setproperties", file]).status == 0)
        // Two writers, each setting 25 different properties of the same worker at the same time,
        // and two property files each creating five workers.
        try await withThrowingTaskGroup { group in
            for writer in ["A", "B"] {
                group.addTask {
                    for index in 0..<25 {
                        let result = try await system.curl(
                            "/admin/v1/workers/Contended/properties/WRITER\(writer)_\(index)", as: "admin",
                            extra: ["-X", "PUT", "-H", "Content-Type: application/json", "--data-binary", "{\"value\":\"\(index)\"}"])
                        #expect(result.status == 200, "\(result.body)")
                    }
                }
                group.addTask {
                    let path = system.directory + "/create-\(writer).properties"
                    try (1...5).map { "WORKERGENID\($0).NAME=Made\(writer)\($0)\n" }.joined()
                        .write(toFile: path, atomically: true, encoding: .utf8)
                    let result = try await system.cli(["setproperties", path])
                    #expect(result.status == 0, "\(result.stderr)")
                }
            }
            try await group.waitForAll()
        }
        #expect(try await system.sql(
            "SELECT count(*) FROM worker_properties p JOIN workers w ON w.id = p.worker_id WHERE w.name = 'Contended' AND p.name LIKE 'WRITER%'") == "50")
        #expect(try await system.sql("SELECT count(DISTINCT id) FROM workers WHERE name LIKE 'Made%'") == "10")
    }

    @Test func listingTenThousandWorkersIsOneQueryAndOneInternalCall() async throws {
        let system = try await SignPeerSystem(name: "tenthousand")
        defer { system.shutdown() }
        // Every statement of this database's sessions goes to the server log, to be counted.
        let database = try await system.sql("SELECT current_database()")
        _ = try await system.sql("ALTER DATABASE \(database) SET log_statement = 'all'")
        try await system.start()
        _ = try await system.cli(["setproperty", "global", "PEERS_INCOMING_ENABLED", "true"])
        _ = try await system.cli(["wspeersystems", "-add", "-cert", system.pki + "/peer.pem"])
        _ = try await system.sql(
            """
            WITH made AS (INSERT INTO workers (id, name, type)
                          SELECT n, 'Bulk' || n, 'PROCESSABLE' FROM generate_series(1, 10000) n RETURNING id)
            INSERT INTO worker_properties (worker_id, name, value)
            SELECT id, p.name, p.value FROM made,
                   (VALUES ('PEERS_VISIBLE', 'true'), ('CRYPTOTOKEN_IMPLEMENTATION_CLASS', 'KeystoreInConfigCryptoToken'),
                           ('DEFAULTKEY', 'key1')) AS p(name, value)
            RETURNING 1
            """)
        _ = try await system.curl("/peer/v1/ping", as: "peer")  // warm the role cache
        let log = try TemporaryPostgres.shared.directory.appending(path: "postgres.log").path
        let before = (try? String(contentsOfFile: log, encoding: .utf8))?.utf8.count ?? 0
        let requestID = "tenthousand-\(UUID().uuidString.prefix(8))"
        let start = ContinuousClock.now
        let response = try await system.curl("/peer/v1/keybindings", as: "peer", extra: ["-H", "X-Request-ID: \(requestID)"])
        let elapsed = ContinuousClock.now - start
        #expect(response.status == 200)
        let bindings = try #require(try response.json()["keyBindings"] as? [[String: Any]])
        #expect(bindings.count == 10_000)
        #expect(bindings.first?["id"] as? Int == 1 && bindings.last?["id"] as? Int == 10_000)
        // The key-binding service reads the workers with one statement (the gateway adds at most
        // one registry write: the warm-up ping's window folds this request); token status is one
        // call to the renewal service.
        let logged = String(decoding: Array(try String(contentsOfFile: log, encoding: .utf8).utf8).dropFirst(before), as: UTF8.self)
        let statements = logged.components(separatedBy: " LOG:  ").filter { $0.hasPrefix("execute") || $0.hasPrefix("statement") }
        #expect(statements.filter { $0.contains("FROM workers") }.count == 1, "\(statements)")
        #expect(statements.filter { $0.contains("incoming_connections") }.count <= 1)
        let renewalCalls = system.log(.renewal).split(separator: "\n")
            .filter { $0.contains(requestID) && $0.contains("/internal/v1/tokens/status") }
        #expect(renewalCalls.count == 1)
        print("listing 10,000 workers took \(elapsed) end to end (debug build, curl included)")
    }
}
