import Foundation
import SignPeerTestSupport
import Testing

/// Slow work first, short transactions last (docs/ARCHITECTURE.md, Concurrency): an RSA-4096
/// key generation must not hold the audit chain's lock, which every audited write waits for.
@Suite("Slow work", .serialized)
struct SlowWorkTests {
    @Test func anAuditedPropertyChangeIsNotDelayedByAnRSA4096Renewal() async throws {
        let system = try await RenewalTests.system()
        let id = try await system.makeSigner("SlowRSA", properties: ["KEYALG": "Ed25519"])
        _ = try await system.makeSigner("Bystander", properties: ["KEYALG": "Ed25519"])
        var measured = 0
        for attempt in 0..<3 where measured == 0 {
            // A pending key to replace: its removal is audited too, before the new key exists.
            #expect(try await system.renew(id).status == 200)
            _ = try await system.cli(["setproperty", "SlowRSA", "KEYALG", "RSA"])
            _ = try await system.cli(["setproperty", "SlowRSA", "KEYSPEC", "4096"])

            let started = ContinuousClock.now
            // RSA-4096 may take seconds on a loaded machine: more than curl's default 10 s here.
            async let renewal = system.curl(
                "/peer/v1/keybindings/\(id)/renewal", as: "peer",
                extra: ["--max-time", "90", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "{\"renewKeys\":true}"])
            try await Task.sleep(for: .milliseconds(150))
            let changeStarted = ContinuousClock.now
            let change = try await system.curl(
                "/admin/v1/workers/Bystander/properties/DESCRIPTION", as: "admin",
                extra: ["-X", "PUT", "-H", "Content-Type: application/json", "--data-binary", "{\"value\":\"attempt \(attempt)\"}"])
            let changeTook = ContinuousClock.now - changeStarted
            let renewed = try await renewal
            let renewalTook = ContinuousClock.now - started
            #expect(change.status == 200 && renewed.status == 200, "\(change.body) \(renewed.body)")
            _ = try await system.cli(["setproperty", "SlowRSA", "KEYALG", "Ed25519"])
            _ = try await system.cli(["removeproperty", "SlowRSA", "KEYSPEC"])
            // A key that came out fast leaves nothing to compare; try again.
            guard renewalTook > .milliseconds(900) else { continue }
            measured += 1
            #expect(changeTook * 2 < renewalTook, "property change \(changeTook) during a renewal of \(renewalTook)")
        }
        #expect(measured == 1, "no RSA-4096 generation was slow enough to compare against")
        #expect(try await system.sql(
            "SELECT count(*) FROM audit_log WHERE event = 'PROPERTY_SET' AND details LIKE '%DESCRIPTION%'") != "0")
    }
}
