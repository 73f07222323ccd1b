import Foundation
import SignPeerTestSupport
import Testing

/// SPEC §7 through the real gateway, as a CA would do it, with `openssl` as the independent
/// check of every CSR, certificate and fingerprint.
@Suite("Renewal", .serialized)
struct RenewalTests {
    static let shared = SharedSystem(name: "renewal")

    static func system() async throws -> SignPeerSystem {
        let system = try await shared.get()
        if try await system.sql("SELECT count(*) FROM role_rules WHERE role = 'PEER_SYSTEM'") == "0" {
            try await system.admitDemoPeer()
        }
        return system
    }

    @Test(arguments: [
        ("RSA", "2048", nil, "sha256WithRSAEncryption", "RSA", "2048"),
        ("RSA", "3072", "SHA384withRSAandMGF1", "rsassaPss", "RSA", "3072"),
        ("ECDSA", "secp256r1", nil, "ecdsa-with-SHA256", "EC", "secp256r1"),
        ("EC", "P-384", "SHA384withECDSA", "ecdsa-with-SHA384", "EC", "secp384r1"),
        ("ECDSA", "secp521r1", "SHA512withECDSA", "ecdsa-with-SHA512", "EC", "secp521r1"),
        ("ECDSA", "brainpoolP256r1", nil, "ecdsa-with-SHA256", "EC", "brainpoolP256r1"),
        ("ECDSA", "brainpoolP384r1", nil, "ecdsa-with-SHA256", "EC", "brainpoolP384r1"),
        ("ECDSA", "brainpoolP512r1", nil, "ecdsa-with-SHA256", "EC", "brainpoolP512r1"),
        ("Ed25519", nil, nil, "ED25519", "Ed25519", nil),
        ("Ed448", nil, nil, "ED448", "Ed448", nil),
    ] as [(String, String?, String?, String, String, String?)])
    func renewsAndInstallsEveryKeyType(
        keyAlgorithm: String, keySpecification: String?, signatureAlgorithm: String?, opensslAlgorithm: String,
        listedAlgorithm: String, listedSpecification: String?
    ) async throws {
        let system = try await Self.system()
        let name = "Renew" + keyAlgorithm + (keySpecification ?? "").replacingOccurrences(of: "-", with: "")
        var properties = ["KEYALG": keyAlgorithm, "REQUESTDN": "CN=\(name)\\, Signer+UID=\(name.lowercased()),O=SignPeer Tests,C=SE"]
        if let keySpecification { properties["KEYSPEC"] = keySpecification }
        if let signatureAlgorithm { properties["SIGNATUREALGORITHM"] = signatureAlgorithm }
        let id = try await system.makeSigner(name, properties: properties)

        let renewal = try await system.renew(id)
        #expect(renewal.status == 200, "\(renewal.body)")
        let json = try renewal.json()
        #expect(json["id"] as? Int == id)
        #expect(json["keysRenewed"] as? Bool == true)
        #expect(json["keyAlias"] as? String == "key00002")
        let csr = try #require(json["csr"] as? String)
        let csrFile = system.directory + "/\(name)-check.csr"
        try csr.write(toFile: csrFile, atomically: true, encoding: .utf8)
        let verify = try await ProcessRunner.run("openssl", ["req", "-in", csrFile, "-noout", "-verify"])
        #expect(verify.status == 0 && (verify.stdout + verify.stderr).contains("verify OK"), "\(verify.stderr)")
        let text = try await ProcessRunner.run("openssl", ["req", "-in", csrFile, "-noout", "-text", "-nameopt", "RFC2253"])
        #expect(text.stdout.contains("Signature Algorithm: \(opensslAlgorithm)"), "\(text.stdout.prefix(800))")
        // RFC 2253 order (most specific first), the escaped comma kept, the multi-valued RDN intact.
        #expect(text.stdout.contains("Subject: CN=\(name)\\, Signer+UID=\(name.lowercased()),O=SignPeer Tests,C=SE")
            || text.stdout.contains("Subject: UID=\(name.lowercased())+CN=\(name)\\, Signer,O=SignPeer Tests,C=SE"),
            "\(text.stdout.prefix(600))")

        let leaf = try await system.issue(csr: csr, name: name)
        let installed = try await system.install(id, pemFile: try system.chainFile(leaf: leaf))
        #expect(installed.status == 200, "\(installed.body)")
        let binding = try installed.json()
        #expect(binding["keyAlias"] as? String == "key00002")
        #expect(binding["nextKeyAlias"] is NSNull)
        #expect(binding["cryptoTokenActive"] as? Bool == true)
        #expect(binding["keyAlgorithm"] as? String == listedAlgorithm)
        #expect((binding["keySpecification"] as? String) == listedSpecification)
        let sha256 = try await ProcessRunner.run("openssl", ["x509", "-in", leaf, "-noout", "-fingerprint", "-sha256"])
        let expected = String(sha256.stdout.split(separator: "=").last!).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: ":", with: "").lowercased()
        #expect(binding["certificateFingerprintSha256"] as? String == expected)
        let sha1 = try await ProcessRunner.run("openssl", ["x509", "-in", leaf, "-noout", "-fingerprint", "-sha1"])
        #expect(binding["certificateFingerprint"] as? String
            == String(sha1.stdout.split(separator: "=").last!).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: ":", with: "").lowercased())
        // The new key signs and matches the installed certificate.
        let test = try await system.cli(["testkey", name])
        #expect(test.status == 0, "\(test.stdout) \(test.stderr)")
        #expect(try await system.sql("SELECT value FROM worker_properties WHERE worker_id = \(id) AND name = 'PEERS_ISSUED'") == "true")
    }

    @Test func eachRefusalLeavesEverythingAsItWas() async throws {
        let system = try await Self.system()
        let id = try await system.makeSigner("Refusals", properties: ["KEYALG": "Ed25519"])
        let csr = try #require(try await system.renew(id).json()["csr"] as? String)
        let before = try await system.renewalSnapshot(id)

        let garbage = system.directory + "/garbage.pem"
        try "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n".write(
            toFile: garbage, atomically: true, encoding: .utf8)
        let other = try await system.issue(csr: try await otherCSR(system), name: "other-key")
        let rogueCA = system.directory + "/rogue-ca"
        _ = try await ProcessRunner.run(RepositoryPaths.root + "/deploy/local/pki.sh", [rogueCA])
        let leaf = try await system.issue(csr: csr, name: "refusal-leaf")
        let wrongChain = system.directory + "/wrong-chain.pem"
        try (String(contentsOfFile: leaf, encoding: .utf8) + String(contentsOfFile: rogueCA + "/ca.pem", encoding: .utf8))
            .write(toFile: wrongChain, atomically: true, encoding: .utf8)
        let expired = try await expiredCertificate(system, csr: csr)

        let cases: [(String, String)] = [
            (garbage, "invalid_certificate"),
            (system.pki + "/ca.pem", "not_end_entity"),
            (try system.chainFile(leaf: other), "certificate_key_mismatch"),
            (wrongChain, "chain_invalid"),
            (expired, "certificate_not_valid_now"),
        ]
        for (file, code) in cases {
            let response = try await system.install(id, pemFile: file)
            #expect(response.status == 400, "\(code): \(response.body)")
            #expect(response.errorCode == code, "\(response.body)")
            #expect(try await system.renewalSnapshot(id) == before, "\(code) changed something")
        }
        let refused = try await system.sql(
            "SELECT count(*) FROM audit_log WHERE event = 'CERTIFICATE_REFUSED' AND worker_id = \(id)")
        #expect(refused == "5")
        // The same binding still installs its real certificate afterwards.
        #expect(try await system.install(id, pemFile: try system.chainFile(leaf: leaf)).status == 200)
    }

    @Test func aSingleDERKeepsTheStoredCAsOnlyWithKeepChain() async throws {
        let system = try await Self.system()
        for keepChain in [true, false] {
            let name = "Der\(keepChain ? "Keep" : "Replace")"
            let id = try await system.makeSigner(name, properties: ["KEYALG": "ECDSA", "KEYSPEC": "P-256", "PEERS_KEEPCHAIN": String(keepChain)])
            // First install a full chain, then renew and send only the new leaf as DER.
            let first = try await system.issue(csr: try #require(try await system.renew(id).json()["csr"] as? String), name: name + "1")
            #expect(try await system.install(id, pemFile: try system.chainFile(leaf: first)).status == 200)
            let second = try await system.issue(csr: try #require(try await system.renew(id).json()["csr"] as? String), name: name + "2")
            let der = second + ".der"
            _ = try await ProcessRunner.run("openssl", ["x509", "-in", second, "-outform", "DER", "-out", der])
            let installed = try await system.install(id, derFile: der)
            #expect(installed.status == 200, "\(installed.body)")
            let chain = try #require(try await system.binding(id)["certificateChain"] as? String)
            let count = chain.components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1
            #expect(count == (keepChain ? 2 : 1), "\(name)")
            #expect(try await system.binding(id)["keyAlias"] as? String == "key00003")
        }
    }

    @Test func anOfflineTokenAnswers409AndADeactivationMidwayIsRefused() async throws {
        let system = try await Self.system()
        let id = try await system.makeSigner("Offline", properties: ["KEYALG": "Ed25519"])
        let csr = try #require(try await system.renew(id).json()["csr"] as? String)
        #expect(try await system.cli(["deactivatecryptotoken", "Offline"]).status == 0)
        let offline = try await system.renew(id)
        #expect(offline.status == 409)
        #expect(offline.errorCode == "crypto_token_offline")
        let listed = try await system.binding(id)
        #expect(listed["cryptoTokenActive"] as? Bool == false)
        #expect(listed["keyAlgorithm"] is NSNull)
        // Deactivated between the two steps: the install is refused, and works once reactivated.
        let leaf = try await system.issue(csr: csr, name: "offline-leaf")
        let refused = try await system.install(id, pemFile: try system.chainFile(leaf: leaf))
        #expect(refused.errorCode == "crypto_token_offline")
        let wrong = try await system.cli(["activatecryptotoken", "Offline", "wrong-code"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("authentication_failed"))
        #expect(!wrong.stderr.contains("wrong-code"))
        #expect(try await system.sql("SELECT count(*) FROM audit_log WHERE event = 'TOKEN_ACTIVATION_FAILED'") != "0")
        #expect(try await system.cli(["activatecryptotoken", "Offline", "foo123"]).status == 0)
        #expect(try await system.install(id, pemFile: try system.chainFile(leaf: leaf)).status == 200)
        // Codes never show in the configuration, the logs or the audit log.
        for service in SignPeerSystem.ServiceName.allCases { #expect(!system.log(service).contains("foo123")) }
        #expect(try await system.sql("SELECT count(*) FROM audit_log WHERE details LIKE '%foo123%'") == "0")
    }

    @Test func badKeySettingsAnswer400NamingThePropertyAndChangeNothing() async throws {
        let system = try await Self.system()
        let id = try await system.makeSigner("BadSettings", properties: ["KEYALG": "Ed25519"])
        let cases: [(String, String, String)] = [
            ("KEYALG", "DSA", "invalid_property"), ("KEYSPEC", "banana", "invalid_property"),
            ("SIGNATUREALGORITHM", "SHA256withRSA", "invalid_property"), ("REQUESTDN", "CN", "invalid_dn"),
        ]
        for (property, value, code) in cases {
            var settings = ["KEYALG": "Ed25519", "KEYSPEC": "", "SIGNATUREALGORITHM": "", "REQUESTDN": ""]
            settings[property] = value
            if property == "KEYSPEC" { settings["KEYALG"] = "RSA" }
            for (name, setting) in settings {
                _ = setting.isEmpty
                    ? try await system.cli(["removeproperty", "BadSettings", name])
                    : try await system.cli(["setproperty", "BadSettings", name, setting])
            }
            let before = try await system.renewalSnapshot(id)
            let response = try await system.renew(id)
            #expect(response.status == 400, "\(property): \(response.body)")
            #expect(response.errorCode == code, "\(response.body)")
            let message = ((try response.json()["error"] as? [String: Any])?["message"] as? String) ?? ""
            #expect(message.contains(property) && message.contains(value), "\(message)")
            #expect(try await system.renewalSnapshot(id) == before)
        }
    }

    @Test func twoConcurrentRenewalsOfOneBindingSerialize() async throws {
        let system = try await Self.system()
        let id = try await system.makeSigner("Concurrent", properties: ["KEYALG": "RSA", "KEYSPEC": "2048"])
        async let first = system.renew(id)
        async let second = system.renew(id)
        let (a, b) = try await (first, second)
        #expect(a.status == 200 && b.status == 200, "\(a.body) \(b.body)")
        // Each made its own key; the later one replaced the earlier pending key (SPEC §7.1), so
        // the token holds the current key and one pending key, under the same next alias.
        let csrs = [a, b].compactMap { try? $0.json()["csr"] as? String }
        #expect(Set(csrs).count == 2)
        #expect(Set([a, b].compactMap { try? $0.json()["keyAlias"] as? String }) == ["key00002"])
        let entries = try await system.cli(["querytokenentries", "Concurrent"])
        #expect(entries.stdout.split(separator: "\n").count == 2, "\(entries.stdout)")
        let pending = try await system.sql("SELECT value FROM worker_properties WHERE worker_id = \(id) AND name = 'NEXTCERTSIGNKEY'")
        #expect(entries.stdout.contains(pending))
    }

    @Test func metricsMoveWithRenewalsAndInstalls() async throws {
        let system = try await Self.system()
        let id = try await system.makeSigner("Measured", properties: ["KEYALG": "Ed25519"])
        let csr = try #require(try await system.renew(id).json()["csr"] as? String)
        #expect(try await system.install(id, pemFile: try system.chainFile(leaf: try await system.issue(csr: csr, name: "measured"))).status == 200)
        let renewal = try await ProcessRunner.run("curl", ["-s", "http://127.0.0.1:\(system.renewalPort)/metrics"]).stdout
        for series in [
            "signpeer_renewals_total{outcome=\"prepared\"}", "signpeer_certificate_installs_total{outcome=\"installed\"}",
            "signpeer_key_generation_seconds_count{algorithm=\"Ed25519\"}", "signpeer_tokens_active",
        ] {
            #expect(renewal.contains(series), "\(series) missing")
        }
        let gateway = try await ProcessRunner.run("curl", ["-s", "http://127.0.0.1:\(system.operationsPort)/metrics"]).stdout
        #expect(gateway.contains("signpeer_peer_requests_total{operation=\"POST /peer/v1/keybindings/{id}/renewal\",outcome=\"ok\",protocol=\"json\"}"))
        #expect(gateway.contains("signpeer_db_pool_connections"))
        let keyBindings = try await ProcessRunner.run("curl", ["-s", "http://127.0.0.1:\(system.keyBindingsPort)/metrics"]).stdout
        #expect(keyBindings.contains("signpeer_worker_certificate_not_after_seconds{worker=\"Measured\"}"))
    }

    /// A CSR for a key that is not the binding's.
    func otherCSR(_ system: SignPeerSystem) async throws -> String {
        let key = system.directory + "/other.key", csr = system.directory + "/other.csr"
        _ = try await ProcessRunner.run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", key])
        _ = try await ProcessRunner.run("openssl", ["req", "-new", "-key", key, "-subj", "/CN=other", "-out", csr])
        return try String(contentsOfFile: csr, encoding: .utf8)
    }

    /// A certificate for the CSR's key that expired long ago, signed by the demo CA (`openssl ca`
    /// is the one tool that sets arbitrary dates).
    func expiredCertificate(_ system: SignPeerSystem, csr: String) async throws -> String {
        let folder = system.directory + "/expired-ca"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "".write(toFile: folder + "/index.txt", atomically: true, encoding: .utf8)
        try "01\n".write(toFile: folder + "/serial", atomically: true, encoding: .utf8)
        try csr.write(toFile: folder + "/request.csr", atomically: true, encoding: .utf8)
        try """
            [ca]
            default_ca = demo
            [demo]
            database = \(folder)/index.txt
            serial = \(folder)/serial
            new_certs_dir = \(folder)
            certificate = \(system.pki)/ca.pem
            private_key = \(system.pki)/ca.key
            default_md = sha256
            policy = anything
            unique_subject = no
            copy_extensions = none
            [anything]
            commonName = optional
            """.write(toFile: folder + "/ca.cnf", atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.run(
            "openssl",
            [
                "ca", "-batch", "-config", folder + "/ca.cnf", "-in", folder + "/request.csr", "-out", folder + "/expired.pem",
                "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", "-rand_serial", "-notext",
            ])
        guard result.status == 0 else { throw HarnessError("openssl ca: \(result.stderr)") }
        return folder + "/expired.pem"
    }
}
