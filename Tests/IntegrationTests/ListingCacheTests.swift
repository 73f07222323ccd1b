import Foundation
import SignPeerTestSupport
import Testing

/// SPEC §13: the gateway answers repeated listings from the one it kept while nothing a listing
/// shows has changed, and every change — a property, a renewal, a token deactivated — is in the
/// very next listing.
@Suite("Listing cache", .serialized)
struct ListingCacheTests {
    @Test func repeatedListingsCostOneInternalCallAndChangesShowAtOnce() async throws {
        let system = try await SignPeerSystem(name: "listingcache")
        defer { system.shutdown() }
        try await system.start()
        try await system.admitDemoPeer()
        let id = try await system.makeSigner("CachedSigner", properties: ["KEYALG": "ECDSA", "KEYSPEC": "secp256r1"])
        #expect(try await system.cli(["generatekey", "CachedSigner", "-keyalg", "ECDSA", "-keyspec", "secp256r1", "-alias", "key00001"]).status == 0)

        func listed() async throws -> [String: Any] {
            let response = try await system.curl("/peer/v1/keybindings", as: "peer")
            #expect(response.status == 200, "\(response.body)")
            let bindings = try #require(try response.json()["keyBindings"] as? [[String: Any]])
            return try #require(bindings.first { $0["id"] as? Int == id })
        }
        func listingCalls() -> Int {
            system.log(.keybindings).split(separator: "\n").filter { $0.contains("path=/internal/v1/keybindings ") }.count
        }

        _ = try await listed()
        let callsBefore = listingCalls()
        for _ in 0..<10 { _ = try await listed() }
        #expect(listingCalls() - callsBefore <= 1, "ten unchanged listings within the cache age ask the key-binding service at most once")

        // A property change is in the next listing.
        #expect(try await system.cli(["setproperty", "CachedSigner", "PEERS_VISIBLE", "false"]).status == 0)
        let all = try await system.curl("/peer/v1/keybindings", as: "peer").json()["keyBindings"] as? [[String: Any]] ?? []
        #expect(!all.contains { $0["id"] as? Int == id }, "hidden at once")
        #expect(try await system.cli(["setproperty", "CachedSigner", "PEERS_VISIBLE", "true"]).status == 0)
        _ = try await listed()

        // A renewal's new key is in the next listing.
        let renewal = try await system.renew(id)
        #expect(renewal.status == 200, "\(renewal.body)")
        let nextAlias = try #require(try renewal.json()["keyAlias"] as? String)
        let afterRenewal = try await listed()
        #expect(afterRenewal["nextKeyAlias"] as? String == nextAlias, "\(afterRenewal)")

        // A deactivated token is in the next listing.
        #expect(try await system.cli(["deactivatecryptotoken", "CachedSigner"]).status == 0)
        #expect(try await listed()["cryptoTokenActive"] as? Bool == false)

        // A change no gateway forwards, straight into the database, shows once the database
        // announces the version it moved to: long before the kept answer's 2 s are up.
        func visible() async throws -> Bool {
            let all = try await system.curl("/peer/v1/keybindings", as: "peer").json()["keyBindings"] as? [[String: Any]] ?? []
            return all.contains { $0["id"] as? Int == id }
        }
        func setVisibleInTheDatabase(_ value: Bool) async throws {
            _ = try await system.sql(
                """
                INSERT INTO worker_properties (worker_id, name, value) VALUES (\(id), 'PEERS_VISIBLE', '\(value)')
                ON CONFLICT (worker_id, name) DO UPDATE SET value = EXCLUDED.value
                """)
        }
        func secondsUntilVisible(_ expected: Bool, since start: ContinuousClock.Instant) async throws -> Double {
            while try await visible() != expected, ContinuousClock.now - start < .seconds(5) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        for round in ["listening", "listening again after its session was ended"] {
            // A write through the gateway: the next listing is fetched afresh and kept from now.
            #expect(try await system.cli(["setproperty", "CachedSigner", "PEERS_VISIBLE", "true"]).status == 0)
            #expect(try await visible())
            let kept = ContinuousClock.now
            try await setVisibleInTheDatabase(false)
            let hidden = try await secondsUntilVisible(false, since: kept)
            #expect(hidden < 1.5, "\(round): hidden after \(hidden) s")
            try await setVisibleInTheDatabase(true)
            #expect(try await secondsUntilVisible(true, since: ContinuousClock.now) < 1.5, "\(round)")

            // The listening session ends (as at a database restart): listings ask the database
            // meanwhile, and the gateway listens again.
            guard round == "listening" else { break }
            let ended = try await system.sql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'signpeer-gateway listing versions' AND datname = current_database()")
            #expect(ended == "1")
            let deadline = ContinuousClock.now + .seconds(10)
            while system.log(.gateway).components(separatedBy: "listing versions: listening").count < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(system.log(.gateway).contains("listing versions: not listening"))
        }
    }
}
