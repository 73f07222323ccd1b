import Foundation
import SignPeerTestSupport
import Testing

/// SPEC §4 end to end, as a CA and an operator would see it: incoming connections switched off
/// and on, the registry, authorization from a registry row, hand-typed rules, and a second gateway
/// replica that follows a removed rule within the role-cache bound.
@Suite("Peer access", .serialized)
struct PeerAccessTests {
    @Test func thePeerLifecycleFromRefusedToAuthorizedAndBack() async throws {
        let system = try await SignPeerSystem(name: "peeraccess")
        defer { system.shutdown() }
        try await system.start()

        // Incoming connections are off by default: refused, nothing recorded.
        var ping = try await system.curl("/peer/v1/ping", as: "peer")
        #expect(ping.status == 403)
        #expect(ping.body.contains("\"peers_incoming_disabled\""))
        #expect(try await system.sql("SELECT count(*) FROM incoming_connections") == "0")

        let enable = try await system.cli(["setproperty", "global", "PEERS_INCOMING_ENABLED", "true"])
        #expect(enable.status == 0, "\(enable.stderr)")

        // An unknown peer is recorded, then refused.
        ping = try await system.curl("/peer/v1/ping", as: "peer")
        #expect(ping.status == 403)
        #expect(ping.body.contains("\"peer_not_authorized\""))
        let serial = try await system.opensslSerial("peer")
        let normalizedSerial = String(serial.lowercased().drop { $0 == "0" })
        let row = try await system.sql(
            "SELECT subject_dn || '|' || issuer_dn || '|' || serial_number || '|' || remote_address || '|' || request_count || '|' || authorized FROM incoming_connections")
        #expect(
            row
                == "CN=Demo CA Peer, OU=Peer Systems, O=SignPeer Demo, C=SE|CN=SignPeer Demo CA, O=SignPeer Demo, C=SE|\(normalizedSerial)|127.0.0.1|1|false")
        let listed = try await system.cli(["incomingpeers", "-list"])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("CN=Demo CA Peer, OU=Peer Systems, O=SignPeer Demo, C=SE"))

        // The admin authorizes it from the registry row; the peer gets in.
        let authorize = try await system.cli([
            "incomingpeers", "-authorize", serial, "CN=SignPeer Demo CA, O=SignPeer Demo, C=SE",
        ])
        #expect(authorize.status == 0, "\(authorize.stderr)")
        #expect(authorize.stdout.contains("Rule added"))
        ping = try await system.curl("/peer/v1/ping", as: "peer")
        #expect(ping.status == 200)
        #expect(try ping.json()["status"] as? String == "ALLOK")
        #expect(try await system.curl("/peer/v1/keybindings", as: "peer").status == 200)
        // The first accepted request is written at once, the next ones within a second (folded).
        var counted = ""
        for _ in 0..<40 where counted != "3|true" {
            counted = try await system.sql("SELECT request_count || '|' || authorized FROM incoming_connections")
            if counted != "3|true" { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(counted == "3|true")

        // The peer certificate cannot use the admin API.
        let adminCall = try await system.curl("/admin/v1/workers", as: "peer")
        #expect(adminCall.status == 403)
        #expect(adminCall.body.contains("\"forbidden\""))

        // A second gateway replica on the same database caches the peer's roles...
        let replica = try await system.startGatewayReplica()
        #expect(try await system.curl("/peer/v1/ping", as: "peer", port: replica).status == 200)

        // ...a rule removed through the first gateway, typed by hand with a zero-padded upper-case
        // serial and an X.500-ordered, oddly spaced issuer, locks the peer out on both within the
        // role-cache bound (500 ms in tests).
        let remove = try await system.cli([
            "wspeersystems", "-remove", "-certserialno", "00" + serial.uppercased(),
            "-issuerdn", "c=SE,  o=SignPeer Demo ,CN=SignPeer Demo CA",
        ])
        #expect(remove.stdout.contains("Rule removed"), "\(remove.stdout) \(remove.stderr)")
        #expect(try await system.curl("/peer/v1/ping", as: "peer").status == 403)
        try await Task.sleep(for: .milliseconds(700))
        ping = try await system.curl("/peer/v1/ping", as: "peer", port: replica)
        #expect(ping.status == 403)
        #expect(ping.body.contains("\"peer_not_authorized\""))
        #expect(try await system.sql("SELECT authorized FROM incoming_connections") == "f")

        // Hand-typed rules match in normalized form; the messages follow SignServer's CLI.
        let add = try await system.cli([
            "wspeersystems", "-add", "-certserialno", "0x00" + serial.uppercased(),
            "-issuerdn", "cn=SignPeer Demo CA,o=SignPeer Demo,c=SE",
        ])
        #expect(add.stdout == "Rule added\n", "\(add.stdout) \(add.stderr)")
        let again = try await system.cli(["wspeersystems", "-add", "-cert", system.pki + "/peer.pem"])
        #expect(again.stdout == "Rule already exists\n")
        let list = try await system.cli(["wspeersystems", "-list"])
        let padded = normalizedSerial.padding(toLength: max(20, normalizedSerial.count), withPad: " ", startingAt: 0)
        #expect(list.stdout == "Authorizations:\n\(padded) CN=SignPeer Demo CA, O=SignPeer Demo, C=SE\n")
        #expect(try await system.curl("/peer/v1/ping", as: "peer").status == 200)
        let missing = try await system.cli([
            "wsauditors", "-remove", "-certserialno", serial, "-issuerdn", "CN=SignPeer Demo CA, O=SignPeer Demo, C=SE",
        ])
        #expect(missing.stdout == "No such rule\n")

        // Clearing hides the row; the next request brings it back.
        let clear = try await system.cli(["incomingpeers", "-clear", serial, "CN=SignPeer Demo CA,O=SignPeer Demo,C=SE"])
        #expect(clear.status == 0, "\(clear.stderr)")
        #expect(!(try await system.cli(["incomingpeers", "-list"]).stdout.contains("Demo CA Peer")))
        _ = try await system.curl("/peer/v1/ping", as: "peer")
        var seen = ""
        for _ in 0..<30 where !seen.contains("Demo CA Peer") {
            // Within a second: a busy peer's requests are written once its window ends.
            try await Task.sleep(for: .milliseconds(100))
            seen = try await system.cli(["incomingpeers", "-list"]).stdout
        }
        #expect(seen.contains("Demo CA Peer"))
    }

    @Test func badRuleInputIsRefusedAndChangesNothing() async throws {
        let system = try await SharedSystem.badInput.get()
        let before = try await system.sql("SELECT count(*) FROM role_rules")
        let cases: [([String], String)] = [
            (["wspeersystems", "-add", "-certserialno", "", "-issuerdn", "CN=x"], "-certserialno needs a value"),
            (["wspeersystems", "-add", "-certserialno", "xyz", "-issuerdn", "CN=x"], "invalid_serial_number"),
            (["wspeersystems", "-add", "-certserialno", "0a", "-issuerdn", "CN"], "invalid_dn"),
            (["wspeersystems", "-add", "-certserialno", "0a", "-issuerdn", "CN=a,,O=b"], "invalid_dn"),
            (["wsadmins", "-add", "-cert", "/etc/hostname"], "invalid_certificate"),
        ]
        for (arguments, code) in cases {
            let result = try await system.cli(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(code), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        }
        // The same through the API, past the CLI's own checks.
        for (body, code) in [
            (#"{"serialNumber":"","issuerDN":"CN=x"}"#, "invalid_serial_number"),
            (#"{"serialNumber":"   ","issuerDN":"CN=x"}"#, "invalid_serial_number"),
            (#"{"serialNumber":"0a"}"#, "invalid_dn"),
            (#"{"certificate":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}"#, "invalid_certificate"),
            (#"{"serialNumber": 5"#, "invalid_request"),
        ] {
            let response = try await system.curl(
                "/admin/v1/roles/peersystems/rules", as: "admin",
                extra: ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body])
            #expect(response.status == 400, "\(body): \(response.body)")
            #expect(response.body.contains("\"\(code)\""), "\(body): \(response.body)")
        }
        #expect(try await system.sql("SELECT count(*) FROM role_rules") == before)
    }
}

extension SharedSystem {
    static let badInput = SharedSystem(name: "badinput")
}
