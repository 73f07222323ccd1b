import Foundation
import SignPeerTestSupport
import Testing

extension HostileTests {
    /// SPEC §11 "Revocation": the gateway refuses client certificates listed in the CRLs of
    /// `SIGNPEER_TLS_CLIENT_CRL` (here the demo PKI's `crl/` folder, as `up.sh` sets it), picks up a
    /// new CRL within seconds, refuses resumed TLS sessions too, and audits once per certificate.
    @Suite("Client certificate revocation", .serialized)
    struct RevocationTests {
        @Test func aRevokedCertificateIsRefusedWithinSecondsAndOthersAreNot() async throws {
            let system = try await SignPeerSystem(name: "revocation")
            defer { system.shutdown() }
            // Roles kept for a minute: a revocation must not wait for them to expire.
            try await system.start(extraEnvironment: [
                "SIGNPEER_TLS_CLIENT_CRL": system.pki + "/crl", "SIGNPEER_ROLE_CACHE_MS": "60000",
            ])
            try await system.admitDemoPeer()
            #expect(try await system.curl("/peer/v1/ping", as: "peer").status == 200)
            // A TLS session to resume after the revocation.
            let session = system.directory + "/peer.session"
            let first = try await system.tlsExchange(
                as: "peer", input: "GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", extra: ["-sess_out", session])
            #expect(first.stdout.contains("HTTP/1.1 200"), "\(first.stdout.prefix(300))")
            // A connection kept alive across the revocation: its /whoami answers come from memory
            // on the event loop, which must stop at the revocation too.
            let keptAliveRequests = 50
            let url = "https://127.0.0.1:\(system.gatewayPort)/whoami"
            let keptAlive = Task {
                try await ProcessRunner.run(
                    "curl",
                    ["-s", "--rate", "5/s", "--cacert", system.pki + "/ca.pem", "--cert", system.pki + "/peer.pem",
                        "--key", system.pki + "/peer.key", "-w", "%{http_code} %{num_connects}\n"]
                        + Array(repeating: ["-o", "/dev/null", url], count: keptAliveRequests).flatMap { $0 })
            }
            try await Task.sleep(for: .seconds(1))

            let revoke = try await ProcessRunner.run(
                RepositoryPaths.root + "/deploy/local/pki.sh", [system.pki, "--revoke", "peer"])
            #expect(revoke.status == 0, "\(revoke.stderr)")
            let revoked = ContinuousClock.now
            var refused: CurlResult?
            while ContinuousClock.now - revoked < .seconds(10) {
                let ping = try await system.curl("/peer/v1/ping", as: "peer")
                if ping.status == 401 {
                    refused = ping
                    break
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            let answer = try #require(refused, "the revoked certificate is refused")
            #expect(ContinuousClock.now - revoked < .seconds(5), "within 5 s of the CRL file appearing")
            #expect(answer.errorCode == "client_certificate_revoked")
            // On the kept-alive connection: answered, then refused from the revocation on, without
            // a new connection (`num_connects` 0).
            let answers = try await keptAlive.value.stdout.split(separator: "\n")
            #expect(answers.count == keptAliveRequests)
            let firstRefusal = try #require(answers.firstIndex { $0.hasPrefix("401") }, "\(answers)")
            #expect(answers[1..<firstRefusal].allSatisfy { $0 == "200 0" } && firstRefusal > 1, "\(answers)")
            #expect(answers[firstRefusal...].allSatisfy { $0.hasPrefix("401") }, "\(answers)")
            #expect(answers[firstRefusal] == "401 0", "\(answers)")
            // Every path, every request; other certificates are unaffected.
            for _ in 0..<20 {
                #expect(try await system.curl("/whoami", as: "peer").errorCode == "client_certificate_revoked")
            }
            #expect(try await system.curl("/whoami", as: "admin").status == 200)
            // A resumed TLS session (no certificate verification in the handshake) is refused too.
            let resumed = try await system.tlsExchange(
                as: "peer", input: "GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", extra: ["-sess_in", session], quiet: false)
            #expect(resumed.stdout.contains("Reused"), "the session was resumed")
            #expect(resumed.stdout.contains("HTTP/1.1 401"), "\(resumed.stdout.suffix(600))")
            #expect(resumed.stdout.contains("client_certificate_revoked"))
            // Logged, and audited once for the burst (with its count).
            #expect(system.log(.gateway).contains("client_certificate_revoked"))
            let audited = try await system.sql(
                "SELECT count(*) FROM audit_log WHERE event = 'PEER_REQUEST_DENIED' AND details::jsonb->>'reason' = 'client_certificate_revoked'")
            #expect(audited == "1", "\(audited) audit rows")
            #expect(try await system.cli(["auditlog", "-verify"]).status == 0)
        }

        @Test func aCRLFromOutsideTheTrustBundleIsIgnoredAndAStaleOneIsRefusedWhenStrict() async throws {
            let system = try await SignPeerSystem(name: "crlstrict")
            defer { system.shutdown() }
            // A CRL of another CA that "revokes" the peer's serial: it must not count.
            let other = system.directory + "/other"
            try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
            let otherPKI = try await ProcessRunner.run(RepositoryPaths.root + "/deploy/local/pki.sh", [other])
            #expect(otherPKI.status == 0)
            let foreignRevoke = try await ProcessRunner.run(
                "openssl", ["ca", "-config", other + "/ca-db/openssl.cnf", "-revoke", system.pki + "/peer.pem"])
            #expect(foreignRevoke.status == 0, "\(foreignRevoke.stderr)")
            _ = try await ProcessRunner.run(
                "openssl", ["ca", "-config", other + "/ca-db/openssl.cnf", "-gencrl", "-out", system.pki + "/crl/other.crl"])
            // The demo CA's own CRL, due one second from now.
            _ = try await ProcessRunner.run(
                "openssl",
                ["ca", "-config", system.pki + "/ca-db/openssl.cnf", "-gencrl", "-crlsec", "1", "-out", system.pki + "/crl/ca.crl"])
            try await Task.sleep(for: .seconds(2))
            try await system.start(extraEnvironment: [
                "SIGNPEER_TLS_CLIENT_CRL": system.pki + "/crl", "SIGNPEER_TLS_CRL_STRICT": "true",
            ])
            let refused = try await system.curl("/whoami", as: "admin")
            #expect(refused.status == 401)
            #expect(refused.errorCode == "revocation_status_unknown")
            let log = system.log(.gateway)
            #expect(log.contains("client CRL past its nextUpdate"))
            #expect(log.contains("client CRL ignored"))
            // A current CRL arrives: accepted again (and the foreign CRL still does not revoke the peer).
            let current = try await ProcessRunner.run(
                "openssl", ["ca", "-config", system.pki + "/ca-db/openssl.cnf", "-gencrl", "-out", system.pki + "/crl/ca.crl"])
            #expect(current.status == 0)
            var status = 0
            for _ in 0..<50 where status != 200 {
                try await Task.sleep(for: .milliseconds(200))
                status = try await system.curl("/whoami", as: "admin").status
            }
            #expect(status == 200)
            #expect(try await system.curl("/whoami", as: "peer").status == 200)
        }
    }
}
