import Foundation
import SignPeerTestSupport
import Testing

/// SPEC §12 end to end: `deploy/local/ejbca-ca.py`, a CA-side client written from
/// EJBCA-PEER-PROTOCOL.md (its own frame codec, Python's TLS, openssl), plays EJBCA's Peer
/// Connector against the real system — refused ping, authorization from the registry, the renewal
/// life cycle, KEEPCHAIN with a legacy UPDATE, an offline token, unknown types, garbage frames and
/// duplicate requests — and the database, the audit log, the metrics and the Admin Web are checked
/// afterwards for what must (and must not) have happened.
@Suite("EJBCA peer protocol", .serialized)
struct EJBCAPeerTests {
    static let client = RepositoryPaths.root + "/deploy/local/ejbca-ca.py"

    @Test func aCAPlaysTheWholeLifeCycleOverTheBinaryProtocol() async throws {
        let system = try await SignPeerSystem(name: "ejbcapeer")
        defer { system.shutdown() }
        try await system.start()
        let id = try await system.makeSigner(
            "EJBCASigner", properties: ["KEYALG": "RSA", "KEYSPEC": "2048", "REQUESTDN": "CN=EJBCA Signer,O=SignPeer Tests,C=SE"])
        // A signer with its first key and no certificate yet, as EJBCA finds one before "Issue".
        let key = try await system.cli(["generatekey", "EJBCASigner", "-keyalg", "RSA", "-keyspec", "2048", "-alias", "key00001"])
        #expect(key.status == 0, "\(key.stderr)")
        let replica = try await system.startGatewayReplica()

        let run = try await ProcessRunner.run(
            "python3",
            [
                Self.client, "--url", "https://127.0.0.1:\(system.gatewayPort)", "--pki", system.pki, "--suite", "full",
                "--binding", "EJBCASigner", "--code", "foo123", "--replica", "https://127.0.0.1:\(replica)",
            ])
        print(run.stdout)  // the CA's transcript, one line per check
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)\n\(system.log(.gateway).suffix(3000))")
        for step in [
            "ok ping refused while incoming is off", "ok ping refused before authorization", "ok authorized from the registry row",
            "ok ping", "ok EJBCASigner prepare renewal", "ok EJBCASigner repeated prepare renewal", "ok EJBCASigner update",
            "ok EJBCASigner repeated update", "ok EJBCASigner status after update", "ok EJBCASigner legacy update",
            "ok EJBCASigner update with another key's certificate", "ok EJBCASigner prepare renewal with the token offline",
            "ok authorization check", "ok unknown message types", "ok garbage frames", "ok body over 1 MiB",
            "ok service up and nothing changed after garbage", "ok concurrent duplicate prepare renewals",
            "ok replica answers with the same sourceId", "ok old messageId after the binding moved on",
            "ok retry after a read timeout",
        ] {
            #expect(run.stdout.contains(step + " ") || run.stdout.contains(step + "\n"), "missing: \(step)")
        }

        // Each prepare ran once however often it arrived: one key and one CSR per renewal, one
        // install per UPDATE (the client repeats each one, sends one pair concurrently, and one
        // old request again after the binding moved on, which is a new renewal).
        let renewals = try #require(
            run.stdout.split(separator: "\n").first { $0.hasPrefix("renewals with new keys: ") }
                .flatMap { Int($0.split(separator: " ").last!) })
        #expect(renewals == 5)
        func events(_ name: String, _ outcome: String = "SUCCESS") async throws -> Int {
            Int(try await system.sql(
                "SELECT count(*) FROM audit_log WHERE event = '\(name)' AND outcome = '\(outcome)' AND worker_id = \(id)"))!
        }
        #expect(try await events("KEY_GENERATED") == renewals + 1)  // + the first key, from generatekey
        #expect(try await events("CSR_GENERATED") == renewals)
        #expect(try await events("CERTIFICATE_INSTALLED") == 2)
        // The refused installs are audited by the renewal service as on the JSON API.
        #expect(try await events("CERTIFICATE_REFUSED", "FAILURE") >= 3)
        #expect(try await system.sql("SELECT value FROM worker_properties WHERE worker_id = \(id) AND name = 'PEERS_ISSUED'") == "true")

        // Refusals are audited like the JSON API's; the registry row carries EJBCA's sourceId.
        let denied = try await system.sql(
            "SELECT string_agg(DISTINCT details, ' ') FROM audit_log WHERE event = 'PEER_REQUEST_DENIED'")
        #expect(denied.contains("\"protocol\":\"ejbca\""), "\(denied)")
        #expect(denied.contains("peers_incoming_disabled") && denied.contains("peer_not_authorized"), "\(denied)")
        let sourceId = try await system.sql("SELECT source_id FROM incoming_connections")
        #expect(Int(sourceId) != nil, "registry source_id \(sourceId)")
        let page = try await system.curl("/admin/", as: "admin")
        #expect(page.body.contains("EJBCA source ID <span class=\"source-id\">\(sourceId)</span>"), "\(page.body.prefix(3000))")
        let incoming = try await system.curl("/admin/v1/incoming", as: "admin")
        #expect(incoming.body.contains("\"sourceId\":\(sourceId)"), "\(incoming.body)")

        // The stored answers are shared by the replicas and expire.
        #expect(Int(try await system.sql("SELECT count(*) FROM ejbca_peer_replies WHERE state = 'done'"))! >= 4)
        #expect(try await system.sql("SELECT count(*) FROM ejbca_peer_replies WHERE state = 'pending'") == "0")

        // Metrics carry the protocol label for both front doors.
        let metrics = try await ProcessRunner.run("curl", ["-s", "http://127.0.0.1:\(system.operationsPort)/metrics"])
        let peerLines = metrics.stdout.split(separator: "\n").filter { $0.hasPrefix("signpeer_peer_requests_total{") }
        #expect(peerLines.contains { $0.contains("protocol=\"ejbca\"") && $0.contains("INTERNAL_KEY_BINDING_PREPARE_RENEWAL") })
        #expect(peerLines.contains { $0.contains("protocol=\"ejbca\"") && $0.contains("outcome=\"replayed\"") })
        #expect(peerLines.contains { $0.contains("protocol=\"json\"") }, "\(peerLines)")
    }

    @Test func theGetAnswersALLOKAndTheSourceIdCanBeConfigured() async throws {
        let system = try await SignPeerSystem(name: "ejbcasource")
        defer { system.shutdown() }
        for service in [SignPeerSystem.ServiceName.renewal, .keybindings] { try system.start(service) }
        try system.start(.gateway, extraEnvironment: ["SIGNPEER_PEER_SOURCE_ID": "4242"])
        try await system.waitUntilReady()
        try await system.admitDemoPeer()

        let get = try await system.curl("/signserver/peer/v1", as: "peer", extra: ["-i"])
        #expect(get.status == 200)
        #expect(get.body.lowercased().contains("content-type: text/plain"))
        #expect(get.body.hasSuffix("\r\n\r\nALLOK"), "\(get.body)")

        // A PING built by hand (EJBCA-PEER-PROTOCOL.md §5, example 1a), sent with curl.
        let ping = system.directory + "/ping.bin"
        try Data(hex: "000000000000000450494e471a2b3c4d0000000000000007000000000000000000000000").write(to: URL(fileURLWithPath: ping))
        let answer = system.directory + "/answer.bin", headers = system.directory + "/headers.txt"
        let post = try await system.curl(
            "/signserver/peer/v1", as: "peer", extra: ["-X", "POST", "--data-binary", "@" + ping, "-o", answer, "-D", headers])
        #expect(post.status == 200)
        let head = try String(contentsOfFile: headers, encoding: .utf8).lowercased()
        #expect(head.contains("content-type: application/octet-stream"), "\(head)")
        #expect(head.components(separatedBy: "content-length: 45").count == 2, "one Content-Length: \(head)")
        #expect(!head.contains("connection: close"), "\(head)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: answer)))
        // PING_RESPONSE from sourceId 4242 (0x1092), messageId 1 or more, no data.
        #expect(bytes.count == 45)
        #expect(Array(bytes[8..<21]) == Array("PING_RESPONSE".utf8))
        #expect(Array(bytes[21..<25]) == [0x00, 0x00, 0x10, 0x92])
        #expect(Array(bytes[41..<45]) == [0, 0, 0, 0])

        // Two frames on one kept-alive connection, as EJBCA's pool sends them.
        let url = "https://127.0.0.1:\(system.gatewayPort)/signserver/peer/v1"
        let twice = try await ProcessRunner.run(
            "curl",
            [
                "-sv", "--cacert", system.pki + "/ca.pem", "--cert", system.pki + "/peer.pem", "--key", system.pki + "/peer.key",
                "--data-binary", "@" + ping, "-o", "/dev/null", "-o", "/dev/null", url, url,
            ])
        #expect(twice.status == 0)
        #expect(twice.stderr.contains("Re-using existing connection") || twice.stderr.contains("Reusing existing"), "\(twice.stderr)")

        // A PREPARE_RENEWAL (example 3a with binding id 999, which is not listed) is answered with
        // an error frame and that answer is stored; a retry gets whatever the shared store holds
        // for its key, until the ten minutes are over.
        let prepare = system.directory + "/prepare.bin"
        try Data(hex: "0000000000000024494e5445524e414c5f4b45595f42494e44494e475f505245504152455f52454e4557414c1a2b3c4d000000000000004d000000000000000000000005000003e701")
            .write(to: URL(fileURLWithPath: prepare))
        func send() async throws -> [UInt8] {
            let result = try await system.curl(
                "/signserver/peer/v1", as: "peer", extra: ["--data-binary", "@" + prepare, "-o", answer])
            #expect(result.status == 200)
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: answer)))
        }
        let first = try await send()
        #expect(String(decoding: first, as: UTF8.self).contains("CryptoTokenOfflineException"))
        #expect(String(decoding: first, as: UTF8.self).contains("key_binding_not_found: "))
        #expect(try await send() == first)
        let marker = "000000000000000d50494e475f524553504f4e534500c0ffee00000000000003e9000000000000000000000000"
        _ = try await system.sql("UPDATE ejbca_peer_replies SET reply = '\\x\(marker)' WHERE message_id = 77")
        #expect(try await send() == [UInt8](Data(hex: marker)))
        _ = try await system.sql("UPDATE ejbca_peer_replies SET created_at = now() - interval '11 minutes' WHERE message_id = 77")
        let afterWindow = try await send()
        #expect(String(decoding: afterWindow, as: UTF8.self).contains("key_binding_not_found: "))
        #expect(afterWindow != first, "a new answer has a new messageId")
    }

    @Test(arguments: ["-1", "abc", "2147483648"])
    func aBadSourceIdStopsStartUpWithOneLineNamingTheVariable(value: String) async throws {
        let system = try await SignPeerSystem(name: "badsource")
        defer { system.shutdown() }
        try system.start(.gateway, extraEnvironment: ["SIGNPEER_PEER_SOURCE_ID": value])
        for _ in 0..<100 where system.terminationStatus(.gateway) == nil {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(system.terminationStatus(.gateway) == 2)
        let lines = system.log(.gateway).split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("SIGNPEER_PEER_SOURCE_ID") == true, "\(lines)")
    }
}

extension Data {
    init(hex: String) {
        let digits = Array(hex.utf8)
        self.init(stride(from: 0, to: digits.count - 1, by: 2).map {
            UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)!
        })
    }
}
