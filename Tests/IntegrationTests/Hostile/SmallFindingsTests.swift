import Foundation
import SignPeerTestSupport
import Testing

extension HostileTests {
    /// The smaller findings of the hostile-input probe (issue 13, item 5), each tried as an attacker
    /// or a careless client would, with curl, openssl and raw sockets.
    @Suite("Hostile input: small findings", .serialized)
    struct SmallFindingsTests {
        static let shared = SharedSystem(name: "smallfindings")

        @Test func aCAOrNonClientAuthCertificateIsNotAClientCertificate() async throws {
            let system = try await Self.shared.get()
            try await system.issueClientCertificate(
                "ca-client", subject: "/C=SE/O=SignPeer Demo/CN=A CA Pretending",
                extensions: "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyCertSign\n")
            try await system.issueClientCertificate(
                "server-only", subject: "/C=SE/O=SignPeer Demo/CN=A Server Certificate",
                extensions: "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
            // Refused either by the TLS stack in the handshake or by the gateway with a 401.
            for identity in ["ca-client", "server-only"] {
                let whoami = try await system.curl("/whoami", as: identity)
                if whoami.status == 0 {
                    #expect(whoami.exitCode != 0, "\(identity): handshake refused")
                } else {
                    #expect(whoami.status == 401, "\(identity): \(whoami.status) \(whoami.body)")
                    #expect(whoami.errorCode == "client_certificate_required", "\(identity)")
                }
            }
            #expect(try await system.curl("/whoami", as: "admin").status == 200)
        }

        @Test func malformedFramingIsAnswered400WithTheJSONBody() async throws {
            let system = try await Self.shared.get()
            // A chunked body with an invalid chunk size, to a route that reads the body.
            let chunked = try await system.tlsExchange(
                as: "admin",
                input: "POST /admin/v1/roles/peersystems/rules HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\nZZ\r\nxx\r\n0\r\n\r\n")
            #expect(chunked.stdout.hasPrefix("HTTP/1.1 400"), "\(chunked.stdout.prefix(300))")
            #expect(chunked.stdout.contains(#""code":"invalid_request""#))
            #expect(!system.log(.gateway).contains("internal_error"))

            for port in [system.operationsPort, system.keyBindingsPort] {
                // A request line the parser rejects.
                let garbage = try await rawExchange(port, "G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(garbage.answer.hasPrefix("HTTP/1.1 400"), "\(port): \(garbage.answer.prefix(200))")
                #expect(garbage.answer.contains(#""code":"invalid_request""#), "\(port)")
                #expect(garbage.closed)
                // An HTTP/0.9-style request line: 400 and a close.
                let old = try await rawExchange(port, "GET /healthz\r\n\r\n")
                #expect(old.answer.hasPrefix("HTTP/1.1 400"), "\(port): \(old.answer.prefix(200))")
                #expect(old.answer.contains(#""error""#), "\(port)")
                #expect(old.closed, "\(port)")
                // A Content-Length over 1 MiB: 413 at once, without sending a byte of the body.
                let large = try await rawExchange(
                    port, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n")
                #expect(large.answer.hasPrefix("HTTP/1.1 413"), "\(port): \(large.answer.prefix(200))")
                #expect(large.answer.contains(#""code":"request_too_large""#))
                #expect(large.closed)
            }
            let large = try await system.tlsExchange(
                as: "peer",
                input: "PUT /peer/v1/keybindings/1/certificate HTTP/1.1\r\nHost: x\r\nContent-Type: application/pkix-cert\r\nContent-Length: 2000000\r\n\r\n",
                timeout: 5)
            #expect(large.stdout.hasPrefix("HTTP/1.1 413"), "\(large.stdout.prefix(300))")
        }

        @Test func aClientLeavingMidBodyIsLoggedAtInfoNotAsAnInternalError() async throws {
            let system = try await Self.shared.get()
            let marker = "mid-body-\(UUID().uuidString.prefix(8))"
            _ = try await system.tlsExchange(
                as: "admin",
                input: "POST /admin/v1/roles/peersystems/rules HTTP/1.1\r\nHost: x\r\nX-Request-ID: \(marker)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"serialNumber\":",
                waitForClose: false)
            try await Task.sleep(for: .milliseconds(500))
            let lines = system.log(.gateway).split(separator: "\n").filter { $0.contains(marker) }
            #expect(!lines.isEmpty, "the request is in the log")
            #expect(!lines.contains { $0.contains("internal_error") || $0.contains("error") && $0.contains("request failed") }, "\(lines)")
            #expect(system.log(.gateway).contains("client disconnected before the request body was complete"))
        }

        @Test func chainsAreBoundedAndContentTypesEnforced() async throws {
            let system = try await Self.shared.get()
            try await system.admitDemoPeer()
            let id = try await system.makeSigner("Hostile", properties: ["KEYALG": "Ed25519"])
            let renewal = try await system.renew(id)
            #expect(renewal.status == 200)
            let csr = try #require(try renewal.json()["csr"] as? String)
            let leaf = try await system.issue(csr: csr, name: "hostile-leaf")
            let leafPEM = try String(contentsOfFile: leaf, encoding: .utf8)
            let caPEM = try String(contentsOfFile: system.pki + "/ca.pem", encoding: .utf8)
            for (name, chain) in [
                ("long", leafPEM + String(repeating: caPEM, count: 11)), ("repeated", leafPEM + caPEM + caPEM),
                ("hundreds", leafPEM + String(repeating: caPEM, count: 499)),
            ] {
                let file = system.directory + "/chain-\(name).pem"
                try chain.write(toFile: file, atomically: true, encoding: .utf8)
                let installed = try await system.install(id, pemFile: file)
                #expect(installed.status == 400, "\(name): \(installed.body)")
                #expect(installed.errorCode == "chain_invalid", "\(name)")
            }
            // Content types.
            let textRenewal = try await system.curl(
                "/peer/v1/keybindings/\(id)/renewal", as: "peer",
                extra: ["-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "{\"renewKeys\":false}"])
            #expect(textRenewal.status == 415)
            #expect(textRenewal.errorCode == "unsupported_media_type")
            let jsonInstall = try await system.curl(
                "/peer/v1/keybindings/\(id)/certificate", as: "peer",
                extra: ["-X", "PUT", "-H", "Content-Type: application/json", "--data-binary", "@" + leaf])
            #expect(jsonInstall.status == 415)
            #expect(jsonInstall.errorCode == "unsupported_media_type")
            let noBody = try await system.curl("/peer/v1/keybindings/\(id)/renewal", as: "peer", extra: ["-X", "POST"])
            #expect(noBody.status == 200, "a renewal without a body needs no type: \(noBody.body)")
            // renewKeys must be a boolean.
            for body in [#"{"renewKeys": null}"#, #"{"renewKeys": 1}"#, #"{"renewKeys": "true"}"#, "[]"] {
                let response = try await system.curl(
                    "/peer/v1/keybindings/\(id)/renewal", as: "peer",
                    extra: ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body])
                #expect(response.status == 400, "\(body): \(response.body)")
                #expect(response.errorCode == "invalid_request", "\(body)")
            }
            // The good chain still installs.
            #expect(try await system.install(id, pemFile: try system.chainFile(leaf: leaf)).status == 200)
        }

        @Test func theOpenAPIDocumentStatesTheIdRangeAndOtherMethodsAnswer405() async throws {
            let system = try await Self.shared.get()
            let document = try await system.curl("/peer/v1/openapi.json", as: "peer")
            let object = try document.json()
            let parameters = (object["components"] as? [String: Any])?["parameters"] as? [String: Any]
            let schema = ((parameters?["Id"] as? [String: Any])?["schema"]) as? [String: Any]
            #expect(schema?["minimum"] as? Int == 1)
            #expect(schema?["maximum"] as? Int == 2_147_483_647)
            #expect(((parameters?["Id"] as? [String: Any])?["description"] as? String)?.contains("leading zeros") == true)
            for (method, path) in [("DELETE", "/peer/v1/ping"), ("POST", "/peer/v1/keybindings"), ("GET", "/peer/v1/keybindings/1/certificate")] {
                let response = try await system.curl(path, as: "peer", extra: ["-X", method])
                #expect(response.status == 405, "\(method) \(path): \(response.status) \(response.body)")
                #expect(response.errorCode == "method_not_allowed", "\(method) \(path)")
            }
            try await system.admitDemoPeer()
            for id in ["01", "0", "2147483648", "-1", "1e3"] {
                let response = try await system.curl("/peer/v1/keybindings/\(id)", as: "peer")
                #expect(response.status == 400, "\(id): \(response.status)")
            }
        }

        @Test func tls12OffersOnlyAEADSuites() async throws {
            let system = try await Self.shared.get()
            func handshake(_ cipher: String) async throws -> Bool {
                let result = try await ProcessRunner.run(
                    "timeout",
                    ["10", "openssl", "s_client", "-connect", "127.0.0.1:\(system.gatewayPort)", "-tls1_2", "-cipher", cipher,
                     "-CAfile", system.pki + "/ca.pem", "-cert", system.pki + "/admin.pem", "-key", system.pki + "/admin.key"],
                    input: Data("Q\n".utf8))
                return result.stdout.contains("Cipher is \(cipher)")
            }
            #expect(try await handshake("ECDHE-ECDSA-AES128-GCM-SHA256"))
            #expect(try await handshake("ECDHE-ECDSA-CHACHA20-POLY1305"))
            for cbc in ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256", "AES128-SHA"] {
                #expect(!(try await handshake(cbc)), "\(cbc) is refused")
            }
        }

        func rawExchange(_ port: Int, _ request: String) async throws -> (answer: String, closed: Bool) {
            try await onThread {
                let connection = try RawConnection(port: port)
                connection.send(request)
                let (data, closed) = connection.readUntilClosed(timeout: .seconds(5))
                return (String(decoding: data, as: UTF8.self), closed)
            }
        }
    }
}
