import Foundation
import SignPeerTestSupport
import Testing

/// SPEC §7.2 "a crash at any point leaves the worker signing with a matching key and certificate":
/// the renewal service is killed with SIGKILL between key generation and install, and during
/// install; after a restart (tokens auto-activate from KEYSTOREPASSWORD) `testkey` passes and a
/// retried renewal succeeds.
@Suite("Crash safety", .serialized)
struct CrashSafetyTests {
    @Test func killingTheRenewalServiceNeverLeavesAKeyWithoutItsCertificate() async throws {
        let system = try await SignPeerSystem(name: "crash")
        defer { system.shutdown() }
        try await system.start()
        try await system.admitDemoPeer()
        let id = try await system.makeSigner("Crash", properties: ["KEYALG": "Ed25519", "KEYSTOREPASSWORD": "foo123"])
        try await renewAndInstall(system, id, name: "crash-initial")
        #expect(try await system.cli(["testkey", "Crash"]).status == 0)

        // Killed between key generation and install.
        let prepared = try await system.renew(id)
        #expect(prepared.status == 200)
        try await restartRenewalHard(system)
        let afterPrepare = try await system.cli(["testkey", "Crash"])
        #expect(afterPrepare.status == 0, "\(afterPrepare.stdout) \(afterPrepare.stderr)")
        try await renewAndInstall(system, id, name: "crash-retry")

        // Killed while installs are in flight, at a few different moments.
        for delay in [0, 5, 20, 60] {
            let csr = try #require(try await system.renew(id).json()["csr"] as? String)
            let chain = try system.chainFile(leaf: try await system.issue(csr: csr, name: "crash-\(delay)"))
            async let install = system.install(id, pemFile: chain)
            try await Task.sleep(for: .milliseconds(delay))
            try await restartRenewalHard(system)
            _ = try await install
            let test = try await system.cli(["testkey", "Crash"])
            #expect(test.status == 0, "after a kill \(delay) ms into an install: \(test.stdout) \(test.stderr)")
            let defaultKey = try await system.sql(
                "SELECT value FROM worker_properties WHERE worker_id = \(id) AND name = 'DEFAULTKEY'")
            let tokenEntries = try await system.cli(["querytokenentries", "Crash"]).stdout
            #expect(tokenEntries.contains(defaultKey), "DEFAULTKEY \(defaultKey) is in the token")
        }
        // And the binding still renews end to end.
        try await renewAndInstall(system, id, name: "crash-final")
        #expect(try await system.cli(["testkey", "Crash"]).status == 0)
    }

    func renewAndInstall(_ system: SignPeerSystem, _ id: Int, name: String) async throws {
        let renewal = try await system.renew(id)
        #expect(renewal.status == 200, "\(renewal.body)")
        let csr = try #require(try renewal.json()["csr"] as? String)
        let installed = try await system.install(id, pemFile: try system.chainFile(leaf: try await system.issue(csr: csr, name: name)))
        #expect(installed.status == 200, "\(installed.body)")
    }

    func restartRenewalHard(_ system: SignPeerSystem) async throws {
        system.stop(.renewal, signal: SIGKILL)
        try system.start(.renewal)
        try await system.waitUntilReady()
        // Ready means listening; the tokens activate just before that.
    }
}
