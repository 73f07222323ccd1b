import Foundation
import SignPeerTestSupport
import Testing

/// SPEC §10: every event kind lands in the audit log with its principal, concurrent writers in
/// all three services keep one chain, and `auditlog -verify` names the row that was altered,
/// deleted or moved.
@Suite("Audit log", .serialized)
struct AuditTests {
    @Test func everyEventKindIsRecordedAndTamperingIsDetected() async throws {
        let system = try await SignPeerSystem(name: "audit")
        defer { system.shutdown() }
        try await system.start()
        // Refused peer requests, rules, properties, tokens, keys, CSRs, installs and refusals —
        // from the gateway and both internal services at once.
        _ = try await system.curl("/peer/v1/ping", as: "peer")
        try await system.admitDemoPeer()
        let id = try await system.makeSigner("Audited", properties: ["KEYALG": "Ed25519"])
        try await withThrowingTaskGroup { group in
            for index in 0..<8 {
                group.addTask { _ = try await system.cli(["setproperty", "Audited", "NOTE\(index)", "x"]) }
                group.addTask { _ = try await system.curl("/peer/v1/keybindings/\(id)/renewal", as: "peer", extra: ["-X", "POST"]) }
                group.addTask { _ = try await system.curl("/peer/v1/ping", as: "admin") }
            }
            try await group.waitForAll()
        }
        let csr = try #require(try await system.renew(id).json()["csr"] as? String)
        _ = try await system.install(id, pemFile: system.pki + "/ca.pem")
        _ = try await system.install(id, pemFile: try system.chainFile(leaf: try await system.issue(csr: csr, name: "audited")))
        _ = try await system.cli(["removeproperty", "Audited", "NOTE0"])
        _ = try await system.cli(["generatekey", "Audited", "-keyalg", "Ed25519", "-alias", "extra"])
        _ = try await system.cli(["removekey", "Audited", "extra"])
        _ = try await system.cli(["deactivatecryptotoken", "Audited"])
        _ = try await system.cli(["activatecryptotoken", "Audited", "not-the-code"])
        _ = try await system.cli(["activatecryptotoken", "Audited", "foo123"])
        _ = try await system.cli(["wsauditors", "-add", "-cert", system.pki + "/peer.pem"])
        let removed = try await system.cli([
            "wsauditors", "-remove", "-certserialno", try await system.opensslSerial("peer"),
            "-issuerdn", "CN=SignPeer Demo CA, O=SignPeer Demo, C=SE",
        ])
        #expect(removed.stdout == "Rule removed\n")
        _ = try await system.cli(["incomingpeers", "-clear", try await system.opensslSerial("peer"), "CN=SignPeer Demo CA,O=SignPeer Demo,C=SE"])

        for event in [
            "PEER_REQUEST_DENIED", "RULE_ADDED", "RULE_REMOVED", "INCOMING_CONNECTION_CLEARED", "PROPERTY_SET",
            "PROPERTY_REMOVED", "TOKEN_ACTIVATED", "TOKEN_DEACTIVATED", "TOKEN_ACTIVATION_FAILED", "KEY_GENERATED",
            "KEY_REMOVED", "CSR_GENERATED", "CERTIFICATE_INSTALLED", "CERTIFICATE_REFUSED",
        ] {
            let listed = try await system.cli(["auditlog", "-list", "-event", event, "-limit", "5"])
            #expect(listed.status == 0)
            #expect(listed.stdout.contains(" \(event) "), "\(event) missing")
        }
        let denied = try await system.cli(["auditlog", "-list", "-event", "PEER_REQUEST_DENIED"])
        #expect(denied.stdout.contains("peers_incoming_disabled") && denied.stdout.contains("CN=Demo CA Peer"))
        let installed = try await system.cli(["auditlog", "-list", "-event", "CERTIFICATE_INSTALLED", "-worker", "Audited"])
        #expect(installed.stdout.contains("principal=\"CN=Demo CA Peer, OU=Peer Systems, O=SignPeer Demo, C=SE\""))
        // An auditor may read the log; the peer may not.
        #expect(try await system.cli(["auditlog", "-verify"], as: "peer").status != 0)

        let rows = Int(try await system.sql("SELECT count(*) FROM audit_log"))!
        let verified = try await system.cli(["auditlog", "-verify"])
        #expect(verified.stdout == "OK, \(rows) rows\n", "\(verified.stdout) \(verified.stderr)")

        // Altered, deleted, re-ordered: each is named by its sequence number.
        let middle = rows / 2
        let original = try await system.sql("SELECT details FROM audit_log WHERE seq = \(middle)")
        _ = try await system.sql("UPDATE audit_log SET details = '{\"forged\":\"yes\"}' WHERE seq = \(middle) RETURNING 1")
        try await expectBroken(system, at: middle)
        _ = try await system.sql(
            "UPDATE audit_log SET details = $$\(original)$$ WHERE seq = \(middle) RETURNING 1")
        #expect(try await system.cli(["auditlog", "-verify"]).status == 0, "restoring the row restores the chain")
        _ = try await system.sql("DELETE FROM audit_log WHERE seq = \(middle + 1) RETURNING 1")
        try await expectBroken(system, at: middle + 1)
        let swap = """
            WITH a AS (SELECT * FROM audit_log WHERE seq = 3), b AS (SELECT * FROM audit_log WHERE seq = 4)
            UPDATE audit_log t SET event = s.event, details = s.details, time = s.time, hash = s.hash,
                   previous_hash = s.previous_hash, principal_serial = s.principal_serial,
                   principal_issuer = s.principal_issuer, principal_subject = s.principal_subject,
                   worker_id = s.worker_id, worker_name = s.worker_name, outcome = s.outcome
            FROM (SELECT 3 AS target, * FROM b UNION ALL SELECT 4 AS target, * FROM a) s
            WHERE t.seq = s.target RETURNING 1
            """
        _ = try await system.sql(swap)
        try await expectBroken(system, at: 3)
    }

    func expectBroken(_ system: SignPeerSystem, at seq: Int) async throws {
        let result = try await system.cli(["auditlog", "-verify"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("sequence number \(seq)"), "\(result.stderr)")
    }
}
