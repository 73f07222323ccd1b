import Foundation
import SignPeerCore
import SignPeerTestSupport
import Testing

/// A peer request is forwarded once, and the renewal service — not a listing read beforehand —
/// decides, with the worker's row locked, whether the binding is listed (SPEC §5, §7).
@Suite("Peer exposure", .serialized)
struct PeerExposureTests {
    /// The internal calls (access-log lines) a service logged for one request id.
    static func internalCalls(_ system: SignPeerSystem, _ service: SignPeerSystem.ServiceName, requestID: String) -> [String] {
        system.log(service).split(separator: "\n").map(String.init).filter {
            $0.contains(": request ") && $0.contains("request_id=\(requestID)") && $0.contains("path=/internal/")
        }
    }

    static func peerCall(_ system: SignPeerSystem, _ path: String, requestID: String, extra: [String]) async throws -> CurlResult {
        try await system.curl(path, as: "peer", extra: ["-H", "X-Request-ID: \(requestID)"] + extra)
    }

    @Test func aRenewalAndAnInstallAreEachOneInternalCall() async throws {
        let system = try await RenewalTests.system()
        let id = try await system.makeSigner("OneHop", properties: ["KEYALG": "Ed25519"])
        let renewID = "renew-\(UUID().uuidString.prefix(8))"
        let renewal = try await Self.peerCall(
            system, "/peer/v1/keybindings/\(id)/renewal", requestID: renewID,
            extra: ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "{\"renewKeys\":true}"])
        #expect(renewal.status == 200, "\(renewal.body)")
        #expect(Self.internalCalls(system, .renewal, requestID: renewID).count == 1)
        #expect(Self.internalCalls(system, .keybindings, requestID: renewID).isEmpty)

        let csr = try #require(try renewal.json()["csr"] as? String)
        let chain = try system.chainFile(leaf: try await system.issue(csr: csr, name: "one-hop"))
        let installID = "install-\(UUID().uuidString.prefix(8))"
        let installed = try await Self.peerCall(
            system, "/peer/v1/keybindings/\(id)/certificate", requestID: installID,
            extra: ["-X", "PUT", "-H", "Content-Type: application/pem-certificate-chain", "--data-binary", "@" + chain])
        #expect(installed.status == 200, "\(installed.body)")
        #expect(Self.internalCalls(system, .renewal, requestID: installID).count == 1)
        #expect(Self.internalCalls(system, .keybindings, requestID: installID).isEmpty)
        // The answer is the binding as the listing shows it now.
        var answered = try installed.json()
        var listed = try await system.binding(id)
        #expect(answered["keyAlias"] as? String == "key00002")
        answered["cryptoTokenActive"] = nil
        listed["cryptoTokenActive"] = nil
        #expect(NSDictionary(dictionary: answered).isEqual(to: listed), "\(answered) vs \(listed)")
    }

    @Test func hidingABindingBetweenPrepareAndInstallRefusesTheInstall() async throws {
        let system = try await RenewalTests.system()
        let id = try await system.makeSigner("HiddenMidway", properties: ["KEYALG": "Ed25519"])
        let csr = try #require(try await system.renew(id).json()["csr"] as? String)
        let chain = try system.chainFile(leaf: try await system.issue(csr: csr, name: "hidden-midway"))
        #expect(try await system.cli(["setproperty", "HiddenMidway", "PEERS_VISIBLE", "false"]).status == 0)
        let before = try await system.renewalSnapshot(id)
        let audited = try await system.sql("SELECT count(*) FROM audit_log WHERE worker_id = \(id)")

        let refused = try await system.install(id, pemFile: chain)
        #expect(refused.status == 404, "\(refused.body)")
        #expect(refused.errorCode == "key_binding_not_found")
        #expect(try await system.renewalSnapshot(id) == before)
        #expect(try await system.sql("SELECT count(*) FROM audit_log WHERE worker_id = \(id)") == audited)
        // A renewal is refused the same way, and visible again the install goes through.
        let renewal = try await system.renew(id)
        #expect(renewal.status == 404 && renewal.errorCode == "key_binding_not_found", "\(renewal.body)")
        #expect(try await system.renewalSnapshot(id) == before)
        #expect(try await system.cli(["setproperty", "HiddenMidway", "PEERS_VISIBLE", "true"]).status == 0)
        #expect(try await system.install(id, pemFile: chain).status == 200)
    }

    @Test func theRenewalServiceRequiresThePeerSystemRole() async throws {
        let system = try await RenewalTests.system()
        let id = try await system.makeSigner("RoleChecked", properties: ["KEYALG": "Ed25519"])
        let before = try await system.renewalSnapshot(id)
        // The internal credential alone (no forwarded principal, or one without the role) is not enough.
        let admin = Principal(
            serialNumber: "1", issuerDN: "CN=Someone", subjectDN: "CN=Admin", fingerprintSHA256: "00", roles: [.admin])
        for principal in [nil, admin.headerValue()] {
            var arguments = [
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Authorization: Bearer \(system.internalToken)",
                "-H", "Content-Type: application/json", "--data-binary", "{\"renewKeys\":true}",
            ]
            if let principal { arguments += ["-H", "X-SignPeer-Principal: \(principal)"] }
            let result = try await ProcessRunner.run(
                "curl", arguments + ["http://127.0.0.1:\(system.renewalPort)/internal/v1/workers/\(id)/renewal"])
            #expect(result.stdout == "403", "\(principal ?? "no principal")")
        }
        #expect(try await system.renewalSnapshot(id) == before)
    }
}
