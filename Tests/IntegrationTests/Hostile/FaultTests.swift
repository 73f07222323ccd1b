import Foundation
import SignPeerTestSupport
import Testing

extension HostileTests {
    /// SPEC §11 "A crash of any service loses no committed state", tried the hard way: the renewal
    /// service killed with SIGKILL at random points of 20 renewals, PostgreSQL stopped under load, and
    /// one of two gateway replicas killed mid-request.
    @Suite("Faults", .serialized)
    struct FaultTests {
        @Test func killingTheRenewalServiceAtRandomPointsOfTwentyRenewalsLosesNothing() async throws {
            let system = try await SignPeerSystem(name: "kill9")
            defer { system.shutdown() }
            try await system.start()
            try await system.admitDemoPeer()
            let ids = [
                try await system.makeSigner("KillA", properties: ["KEYALG": "Ed25519", "KEYSTOREPASSWORD": "foo123"]),
                try await system.makeSigner("KillB", properties: ["KEYALG": "EC", "KEYSPEC": "secp256r1", "KEYSTOREPASSWORD": "foo123"]),
            ]
            for id in ids { try await renewAndInstall(system, id, name: "kill-initial-\(id)") }

            var random = SystemRandomNumberGenerator()
            var plan: [String] = []
            for round in 0..<20 {
                let id = ids[round % ids.count]
                let delay = Int.random(in: 0...80, using: &random)
                if Bool.random(using: &random) {
                    plan.append("\(round): prepare +\(delay) ms")
                    async let prepared = system.renew(id)
                    try await Task.sleep(for: .milliseconds(delay))
                    try await restartRenewalHard(system)
                    _ = try await prepared
                } else {
                    plan.append("\(round): install +\(delay) ms")
                    let renewal = try await system.renew(id)
                    guard let csr = try? renewal.json()["csr"] as? String else {
                        Issue.record("renewal after a restart failed: \(renewal.status) \(renewal.body)")
                        continue
                    }
                    let chain = try system.chainFile(
                        leaf: try await system.issue(csr: csr, name: "kill-\(round)", extensions: Self.leafExtensions))
                    async let installed = system.install(id, pemFile: chain)
                    try await Task.sleep(for: .milliseconds(delay))
                    try await restartRenewalHard(system)
                    _ = try await installed
                }
                for id in ids { try await expectKeyMatchesCertificate(system, id, after: plan.last!) }
            }
            // Both bindings still renew end to end, and the audit chain is whole.
            for id in ids {
                try await renewAndInstall(system, id, name: "kill-final-\(id)")
                try await expectKeyMatchesCertificate(system, id, after: "the final renewal")
            }
            let verify = try await system.cli(["auditlog", "-verify"])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr) — plan: \(plan)")
        }

        @Test func peerRequestsAnswer503WhilePostgreSQLIsDownAndRecoverWithoutARestart() async throws {
            let postgres = try TemporaryPostgres()
            defer { try? postgres.stop() }
            let system = try await SignPeerSystem(name: "pgdown", postgres: postgres)
            defer { system.shutdown() }
            try await system.start()
            try await system.admitDemoPeer()
            _ = try await system.makeSigner("Outage", properties: ["KEYALG": "Ed25519"])
            #expect(try await system.curl("/peer/v1/keybindings", as: "peer").status == 200)

            // Load: listings back to back while the database goes away and comes back.
            let load = Task { () -> [Int: Int] in
                var statuses: [Int: Int] = [:]
                while !Task.isCancelled {
                    let status = (try? await system.curl("/peer/v1/keybindings", as: "peer").status) ?? -1
                    statuses[status, default: 0] += 1
                }
                return statuses
            }
            try await Task.sleep(for: .seconds(1))
            try postgres.stopKeepingData()
            try await Task.sleep(for: .seconds(1))
            let headers = system.directory + "/outage-headers"
            let during = try await system.curl("/peer/v1/keybindings", as: "peer", extra: ["-D", headers])
            #expect(during.status == 503, "\(during.status) \(during.body)")
            #expect(during.errorCode == "service_unavailable")
            #expect(try String(contentsOfFile: headers, encoding: .utf8).lowercased().contains("retry-after:"))
            #expect(try await system.curl("/peer/v1/ping", as: "peer").status == 503)
            try await Task.sleep(for: .seconds(2))
            try postgres.startAgain()

            var recovered = false
            for _ in 0..<100 where !recovered {
                recovered = try await system.curl("/peer/v1/keybindings", as: "peer").status == 200
                if !recovered { try await Task.sleep(for: .milliseconds(300)) }
            }
            load.cancel()
            let statuses = await load.value
            #expect(recovered, "listing works again without a restart")
            #expect(Set(statuses.keys).isSubset(of: [200, 503]), "only 200 and 503 under the outage: \(statuses)")
            #expect(statuses[503, default: 0] > 0, "\(statuses)")
            for service in SignPeerSystem.ServiceName.allCases {
                #expect(system.terminationStatus(service) == nil, "\(service) kept running")
            }
            #expect(try await system.cli(["auditlog", "-verify"]).status == 0)
        }

        @Test func oneOfTwoGatewayReplicasKilledMidRequestLeavesTheOtherServing() async throws {
            let system = try await SignPeerSystem(name: "replicakill")
            defer { system.shutdown() }
            try await system.start()
            try await system.admitDemoPeer()
            let id = try await system.makeSigner("Replica", properties: ["KEYALG": "Ed25519"])
            let replica = try await system.startGatewayReplica()
            let replicaProcess = try await ProcessProbe.listening(on: replica)

            // A renewal through the replica whose body arrives slowly, and listings on both.
            let body = system.directory + "/slow-renewal.json"
            try (#"{"renewKeys": true}"# + String(repeating: " ", count: 3000)).write(toFile: body, atomically: true, encoding: .utf8)
            async let slow = system.curl(
                "/peer/v1/keybindings/\(id)/renewal", as: "peer",
                extra: ["-X", "POST", "-H", "Content-Type: application/json", "--limit-rate", "1K", "--data-binary", "@" + body],
                port: replica)
            let flood = Task {
                try await system.curlFlood(
                    url: "https://127.0.0.1:\(replica)/peer/v1/keybindings", count: 400, parallel: 4,
                    options: system.curlConfigIdentity("peer"))
            }
            try await Task.sleep(for: .milliseconds(800))
            kill(replicaProcess.pid, SIGKILL)
            let cut = try await slow
            #expect(cut.exitCode != 0, "the request in flight on the killed replica fails: \(cut.status) \(cut.body)")
            _ = try await flood.value

            // The surviving gateway serves everything, and nothing is half-written.
            #expect(try await system.curl("/peer/v1/keybindings", as: "peer").status == 200)
            let renewal = try await system.renew(id)
            #expect(renewal.status == 200, "\(renewal.body)")
            let csr = try #require(try renewal.json()["csr"] as? String)
            let installed = try await system.install(
                id, pemFile: try system.chainFile(leaf: try await system.issue(csr: csr, name: "replica-kill", extensions: Self.leafExtensions)))
            #expect(installed.status == 200, "\(installed.body)")
            try await expectKeyMatchesCertificate(system, id, after: "the replica was killed")
            #expect(try await system.cli(["auditlog", "-verify"]).status == 0)
        }

        // MARK: Helpers

        /// With a subjectKeyIdentifier extension, so openssl states the certificate's key id itself.
        static let leafExtensions = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\n"

        func renewAndInstall(_ system: SignPeerSystem, _ id: Int, name: String) async throws {
            let renewal = try await system.renew(id)
            #expect(renewal.status == 200, "\(renewal.body)")
            let csr = try #require(try renewal.json()["csr"] as? String)
            let installed = try await system.install(
                id, pemFile: try system.chainFile(leaf: try await system.issue(csr: csr, name: name, extensions: Self.leafExtensions)))
            #expect(installed.status == 200, "\(installed.body)")
        }

        func restartRenewalHard(_ system: SignPeerSystem) async throws {
            system.stop(.renewal, signal: SIGKILL)
            try system.start(.renewal)
            try await system.waitUntilReady()
        }

        /// The listing's subjectKeyId (from the token's key) equals the SKI openssl reads from the
        /// installed certificate, and the key signs (`testkey`).
        func expectKeyMatchesCertificate(_ system: SignPeerSystem, _ id: Int, after step: String) async throws {
            let binding = try await system.binding(id)
            guard let chain = binding["certificateChain"] as? String, let listed = binding["subjectKeyId"] as? String else {
                Issue.record("binding \(id) after \(step): no certificate or key id: \(binding)")
                return
            }
            let leaf = String(chain[..<(chain.range(of: "-----END CERTIFICATE-----")!.upperBound)])
            let ski = try await ProcessRunner.run(
                "openssl", ["x509", "-noout", "-ext", "subjectKeyIdentifier"], input: Data(leaf.utf8))
            let fromOpenSSL = ski.stdout.split(separator: "\n").last.map {
                $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ":", with: "").lowercased()
            }
            #expect(fromOpenSSL == listed, "binding \(id) after \(step): key \(listed), certificate \(fromOpenSSL ?? "?")")
            let name = binding["name"] as? String ?? ""
            let test = try await system.cli(["testkey", name])
            #expect(test.status == 0, "binding \(id) after \(step): \(test.stdout) \(test.stderr)")
        }
    }
}
