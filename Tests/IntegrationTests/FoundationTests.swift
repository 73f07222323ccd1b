import Foundation
import SignPeerTestSupport
import Testing

/// Service-level tests of the foundation: the real executables, real PostgreSQL, real TLS, and
/// `curl`/`openssl` as independent clients.
@Suite("Foundation", .serialized)
struct FoundationTests {
    static let shared = SharedSystem(name: "foundation")

    @Test func adminSeesItsPrincipalWithTheAdminRole() async throws {
        let system = try await Self.shared.get()
        let response = try await system.curl("/whoami", as: "admin")
        #expect(response.status == 200, "\(response)")
        let json = try response.json()
        let serial = try await ProcessRunner.run("openssl", ["x509", "-in", system.pki + "/admin.pem", "-noout", "-serial"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "serial=", with: "").lowercased()
        let expectedSerial = String(serial.drop { $0 == "0" })
        #expect(json["serialNumber"] as? String == expectedSerial)
        #expect(json["issuerDN"] as? String == "CN=SignPeer Demo CA, O=SignPeer Demo, C=SE")
        #expect(json["subjectDN"] as? String == "CN=Demo Admin, OU=Administrators, O=SignPeer Demo, C=SE")
        #expect(json["roles"] as? [String] == ["ADMIN"])
    }

    @Test func aTrustedClientWithoutRulesHasNoRoles() async throws {
        let response = try await Self.shared.get().curl("/whoami", as: "peer")
        #expect(response.status == 200)
        #expect(try response.json()["roles"] as? [String] == [])
    }

    @Test func aHandshakeWithoutClientCertificateFails() async throws {
        let system = try await Self.shared.get()
        let response = try await system.curl("/whoami", as: nil)
        #expect(response.exitCode != 0, "curl without --cert must fail the TLS handshake: \(response)")
        #expect(response.status == 0)
        let sClient = try await ProcessRunner.run(
            "openssl",
            ["s_client", "-connect", "127.0.0.1:\(system.gatewayPort)", "-CAfile", system.pki + "/ca.pem", "-quiet"],
            input: Data("GET /whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8))
        #expect(!sClient.stdout.contains("HTTP/1.1 200"))
        // The server refused with the TLS alert for a missing certificate (116, TLS 1.3).
        #expect((sClient.stdout + sClient.stderr).contains("alert certificate required"), "\(sClient.stderr)")
    }

    @Test func aClientCertificateFromAnotherCAFails() async throws {
        let system = try await Self.shared.get()
        let rogue = system.directory + "/rogue"
        let made = try await ProcessRunner.run(RepositoryPaths.root + "/deploy/local/pki.sh", [rogue])
        #expect(made.status == 0)
        let response = try await system.curl("/whoami", as: rogue + "/admin")
        #expect(response.exitCode != 0, "a certificate from another CA must fail the handshake: \(response)")
        #expect(response.status == 0)
        let sClient = try await ProcessRunner.run(
            "openssl",
            [
                "s_client", "-connect", "127.0.0.1:\(system.gatewayPort)", "-CAfile", system.pki + "/ca.pem",
                "-cert", rogue + "/admin.pem", "-key", rogue + "/admin.key", "-quiet",
            ],
            input: Data("GET /whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8))
        #expect(!sClient.stdout.contains("HTTP/1.1 200"))
        // The server refused with the TLS alert for an unknown issuer (48).
        #expect((sClient.stdout + sClient.stderr).contains("alert unknown ca"), "\(sClient.stderr)")
    }

    @Test func internalServicesRefuseCallsWithoutTheCredential() async throws {
        let system = try await Self.shared.get()
        for port in [system.keyBindingsPort, system.renewalPort] {
            let url = "http://127.0.0.1:\(port)/internal/v1/info"
            let anonymous = try await ProcessRunner.run("curl", ["-s", "-w", "\n%{http_code}", url])
            #expect(anonymous.stdout.hasSuffix("\n401"), "\(anonymous.stdout)")
            #expect(anonymous.stdout.contains("\"internal_credential_required\""))
            let wrong = try await ProcessRunner.run(
                "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer wrong", url])
            #expect(wrong.stdout == "401")
            let authorized = try await ProcessRunner.run(
                "curl", ["-s", "-w", "\n%{http_code}", "-H", "Authorization: Bearer \(system.internalToken)", url])
            #expect(authorized.stdout.hasSuffix("\n200"), "\(authorized.stdout)")
            #expect(authorized.stdout.contains("\"schemaVersion\":40"))
            let health = try await ProcessRunner.run(
                "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/healthz"])
            #expect(health.stdout == "200")
        }
    }

    @Test func theRequestIDTravelsThroughAllThreeServices() async throws {
        let system = try await Self.shared.get()
        // The worker status goes gateway -> key-binding service -> renewal service (token status).
        let file = system.directory + "/traced.properties"
        try "WORKERGENID1.NAME=Traced\nWORKERGENID1.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        _ = try await system.cli(["setproperties", file])
        let requestID = "it-\(UUID().uuidString.prefix(8))"
        let status = try await system.curl("/admin/v1/workers", as: "admin", extra: ["-H", "X-Request-ID: \(requestID)"])
        #expect(status.status == 200)
        for service in SignPeerSystem.ServiceName.allCases {
            #expect(system.log(service).contains(requestID), "\(service.rawValue) did not log \(requestID)")
        }
    }

    @Test func operationsPortServesMetricsAndTheTLSPortDoesNot() async throws {
        let system = try await Self.shared.get()
        let metrics = try await ProcessRunner.run("curl", ["-s", "http://127.0.0.1:\(system.operationsPort)/metrics"])
        #expect(metrics.stdout.contains("hb_requests") || metrics.stdout.contains("http_"), "\(metrics.stdout.prefix(300))")
        let overTLS = try await system.curl("/metrics", as: "admin")
        #expect(overTLS.status == 404)
    }

    @Test func theOpenAPIDescriptionIsValidOpenAPI31() async throws {
        let system = try await Self.shared.get()
        let response = try await system.curl("/peer/v1/openapi.json", as: "peer")
        #expect(response.status == 200)
        let json = try response.json()
        #expect(json["openapi"] as? String == "3.1.0")
        let paths = try #require(json["paths"] as? [String: Any])
        #expect(Set(paths.keys) == [
            "/peer/v1/ping", "/peer/v1/keybindings", "/peer/v1/keybindings/{id}",
            "/peer/v1/keybindings/{id}/renewal", "/peer/v1/keybindings/{id}/certificate",
        ])
        let file = system.directory + "/openapi.json"
        try response.body.write(toFile: file, atomically: true, encoding: .utf8)
        let validation = try await ProcessRunner.run(
            "python3", ["-c", "import json,sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')", file])
        #expect(validation.stdout == "valid\n", "\(validation.stderr)")
    }
}
