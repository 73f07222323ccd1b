import Foundation
import SignPeerTestSupport
import Testing

/// PKCS11CryptoToken (SPEC §6.1) through the real services and a real SoftHSM2: keys generated
/// in the HSM, CSRs signed there, certificates installed, outages survived. `pkcs11-tool` and
/// `openssl` are the independent checks.
@Suite("HSM tokens", .serialized)
struct HSMTests {
    static let shared = Shared()

    actor Shared {
        private var starting: Task<HSMSystem, any Error>?
        func get() async throws -> HSMSystem {
            if let starting { return try await starting.value }
            let task = Task { try await HSMSystem.start(name: "hsm") }
            starting = task
            return try await task.value
        }
    }

    @Test(arguments: [
        // SoftHSM's RSA generation is what costs (seconds for 2048 bits on a busy machine, against
        // the harness's 10 s per request): 2048 bits once, PSS on 1024; PKCS11Tests adds others.
        ("RSA", "2048", nil, "sha256WithRSAEncryption", "RSA", "2048"),
        ("RSA", "1024", "SHA256withRSAandMGF1", "rsassaPss", "RSA", "1024"),
        ("ECDSA", "secp256r1", nil, "ecdsa-with-SHA256", "EC", "secp256r1"),
        ("ECDSA", "secp384r1", "SHA384withECDSA", "ecdsa-with-SHA384", "EC", "secp384r1"),
        ("EC", "P-521", "SHA512withECDSA", "ecdsa-with-SHA512", "EC", "secp521r1"),
        ("ECDSA", "brainpoolP256r1", nil, "ecdsa-with-SHA256", "EC", "brainpoolP256r1"),
        ("ECDSA", "brainpoolP384r1", "SHA384withECDSA", "ecdsa-with-SHA384", "EC", "brainpoolP384r1"),
        ("ECDSA", "brainpoolP512r1", "SHA512withECDSA", "ecdsa-with-SHA512", "EC", "brainpoolP512r1"),
        ("Ed25519", nil, nil, "ED25519", "Ed25519", nil),
        ("Ed448", nil, nil, "ED448", "Ed448", nil),
    ] as [(String, String?, String?, String, String, String?)])
    func everyKeyTypeRenewsInTheHSMAndInstalls(
        keyAlgorithm: String, keySpecification: String?, signatureAlgorithm: String?, opensslAlgorithm: String,
        listedAlgorithm: String, listedSpecification: String?
    ) async throws {
        let hsm = try await Self.shared.get(), system = hsm.system
        let name = "HSM" + keyAlgorithm + (keySpecification ?? "").replacingOccurrences(of: "-", with: "")
            + (signatureAlgorithm?.hasSuffix("MGF1") == true ? "PSS" : "")
        var properties = ["KEYALG": keyAlgorithm]
        if let keySpecification { properties["KEYSPEC"] = keySpecification }
        if let signatureAlgorithm { properties["SIGNATUREALGORITHM"] = signatureAlgorithm }
        let token = keyAlgorithm == "Ed448" ? HSMSystem.ed448TokenLabel : HSMSystem.tokenLabel
        // One worker names the module by path (SHAREDLIBRARY), the others by name (SHAREDLIBRARYNAME).
        let id = try await hsm.makeSigner(
            name, properties: properties, token: token, library: keyAlgorithm == "Ed25519" ? SoftHSM.modulePath : nil)

        // The first key through generatekey, like an operator.
        let generate = ["generatekey", name, "-keyalg", keyAlgorithm, "-alias", "\(name)001"]
            + (keySpecification.map { ["-keyspec", $0] } ?? [])
        let generated = try await system.cli(generate)
        #expect(generated.status == 0, "\(generated.stdout) \(generated.stderr)")
        let duplicate = try await system.cli(generate)
        #expect(duplicate.status != 0, "a second key under one alias is refused")

        let renewal = try await system.renew(id)
        #expect(renewal.status == 200, "\(renewal.body)")
        let json = try renewal.json()
        let nextAlias = "\(name)002"
        #expect(json["keyAlias"] as? String == nextAlias)
        let csr = try #require(json["csr"] as? String)
        let csrFile = system.directory + "/\(name).csr"
        try csr.write(toFile: csrFile, atomically: true, encoding: .utf8)
        let verify = try await ProcessRunner.run("openssl", ["req", "-in", csrFile, "-noout", "-verify", "-text"])
        #expect((verify.stdout + verify.stderr).contains("verify OK"), "\(verify.stderr)")
        #expect(verify.stdout.contains("Signature Algorithm: \(opensslAlgorithm)"), "\(verify.stdout.prefix(600))")
        // The CSR carries the key pkcs11-tool reads from the HSM.
        let csrKey = try await hsm.publicKeyDER(ofRequest: csrFile)
        #expect(try await hsm.hsm.publicKeyMatches(csrKey, token: token, alias: nextAlias))
        // The private key was made in the HSM: sensitive, never extractable, for signing only.
        let listing = try await hsm.privateKeyListing(nextAlias, token: token)
        #expect(listing.contains("Access:     sensitive, always sensitive, never extractable, local"), "\(listing)")
        #expect(listing.contains("Usage:      sign\n"), "\(listing)")

        let leaf = try await system.issue(csr: csr, name: name)
        let installed = try await system.install(id, pemFile: try system.chainFile(leaf: leaf))
        #expect(installed.status == 200, "\(installed.body)")
        let binding = try installed.json()
        #expect(binding["keyAlias"] as? String == nextAlias)
        #expect(binding["cryptoTokenActive"] as? Bool == true)
        #expect(binding["keyAlgorithm"] as? String == listedAlgorithm)
        #expect(binding["keySpecification"] as? String == listedSpecification)
        let ski = try await ProcessRunner.run("openssl", ["x509", "-in", leaf, "-noout", "-pubkey"])
        #expect(ski.status == 0)
        let test = try await system.cli(["testkey", name])
        #expect(test.status == 0, "\(test.stdout) \(test.stderr)")
        let entries = try await system.cli(["querytokenentries", name])
        #expect(entries.stdout.contains(nextAlias) && entries.stdout.contains("\(name)001"), "\(entries.stdout)")
        // The old key stays until an admin removes it; then pkcs11-tool finds neither half.
        let removed = try await system.cli(["removekey", name, "\(name)001"])
        #expect(removed.status == 0, "\(removed.stdout) \(removed.stderr)")
        for type in ["privkey", "pubkey"] {
            let labels = try await hsm.hsm.labels(token: token, pin: HSMSystem.pin, type: type)
            #expect(labels.contains(nextAlias) && !labels.contains("\(name)001"), "\(type): \(labels)")
        }
    }

    @Test func aCSRFromTheCLIAndAKeyMismatchAreHandledLikeAnyToken() async throws {
        let hsm = try await Self.shared.get(), system = hsm.system
        let id = try await hsm.makeSigner("HSMMismatch", properties: ["KEYALG": "ECDSA", "KEYSPEC": "secp256r1"])
        #expect(try await system.cli(["generatekey", "HSMMismatch", "-keyalg", "ECDSA", "-keyspec", "secp256r1", "-alias", "HSMMismatch001"]).status == 0)
        let csrFile = system.directory + "/mismatch.csr"
        let request = try await system.cli(["generatecertreq", "HSMMismatch", "CN=By CLI,O=SignPeer Tests", "SHA256withECDSA", csrFile])
        #expect(request.status == 0, "\(request.stderr)")
        let verified = try await ProcessRunner.run("openssl", ["req", "-in", csrFile, "-noout", "-verify"])
        #expect((verified.stdout + verified.stderr).contains("verify OK"))
        // A certificate for some other key is refused with certificate_key_mismatch and changes nothing.
        let other = system.directory + "/other"
        try await openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=other",
                           "-keyout", other + ".key", "-out", other + ".csr"])
        let leaf = try await system.issue(csr: try String(contentsOfFile: other + ".csr", encoding: .utf8), name: "other")
        let before = try await system.renewalSnapshot(id)
        let refused = try await system.install(id, pemFile: leaf)
        #expect(refused.status == 400 && refused.errorCode == "certificate_key_mismatch", "\(refused.body)")
        #expect(try await system.renewalSnapshot(id) == before)
    }

    @Test func fourBindingsOfOneTokenRenewAtOnce() async throws {
        let hsm = try await Self.shared.get(), system = hsm.system
        var lines = ["WORKERGENID1.NAME=HSMShared", "WORKERGENID1.TYPE=CRYPTO_WORKER"] + HSMSystem.tokenProperties("WORKERGENID1")
        for index in 2...5 {
            lines += ["WORKERGENID\(index).NAME=HSMSharedSigner\(index)", "WORKERGENID\(index).TYPE=PROCESSABLE",
                      "WORKERGENID\(index).CRYPTOTOKEN=HSMShared", "WORKERGENID\(index).PEERS_VISIBLE=true",
                      "WORKERGENID\(index).KEYALG=ECDSA", "WORKERGENID\(index).KEYSPEC=secp256r1",
                      "WORKERGENID\(index).DEFAULTKEY=shared\(index)key1"]
        }
        try await hsm.apply(lines, file: "hsm-shared")
        #expect(try await system.cli(["activatecryptotoken", "HSMShared", HSMSystem.pin]).status == 0)
        var ids: [Int] = []
        for index in 2...5 { ids.append(try await hsm.id(of: "HSMSharedSigner\(index)")) }
        let results = try await withThrowingTaskGroup(of: (Int, CurlResult).self) { group in
            for id in ids { group.addTask { (id, try await system.renew(id)) } }
            return try await group.reduce(into: [(Int, CurlResult)]()) { $0.append($1) }
        }
        var aliases: Set<String> = []
        for (id, result) in results {
            #expect(result.status == 200, "\(result.body)")
            let json = try result.json()
            aliases.insert(try #require(json["keyAlias"] as? String))
            let leaf = try await system.issue(csr: try #require(json["csr"] as? String), name: "shared-\(id)")
            #expect(try await system.install(id, pemFile: leaf).status == 200)
        }
        #expect(aliases.count == 4)
        for id in ids { #expect(try await system.binding(id)["cryptoTokenActive"] as? Bool == true) }
    }

    /// `PEERS_KEEPOLDKEYS` on an HSM token: after each install the HSM keeps the current key and
    /// the n most recent superseded ones (pkcs11-tool is the witness), each deletion audited.
    @Test func keepOldKeysPrunesTheHSMAfterEachInstall() async throws {
        let hsm = try await Self.shared.get(), system = hsm.system
        let name = "HSMKeepOne"
        let id = try await hsm.makeSigner(
            name, properties: ["KEYALG": "ECDSA", "KEYSPEC": "secp256r1", "PEERS_KEEPOLDKEYS": "1"])
        #expect(try await system.cli(["generatekey", name, "-keyalg", "ECDSA", "-keyspec", "secp256r1", "-alias", "\(name)001"]).status == 0)
        for round in 1...3 {
            let renewal = try await system.renew(id)
            #expect(renewal.status == 200, "\(renewal.body)")
            let csr = try #require(try renewal.json()["csr"] as? String)
            let leaf = try await system.issue(csr: csr, name: "\(name)-\(round)")
            #expect(try await system.install(id, pemFile: leaf).status == 200)
        }
        let labels = try await hsm.hsm.labels(token: HSMSystem.tokenLabel, pin: HSMSystem.pin, type: "privkey")
        #expect(labels.contains("\(name)004") && labels.contains("\(name)003"), "\(labels)")
        #expect(!labels.contains("\(name)001") && !labels.contains("\(name)002"), "\(labels)")
        let removals = try await system.sql(
            "SELECT count(*) FROM audit_log WHERE event = 'KEY_REMOVED' AND worker_id = \(id) AND details LIKE '%PEERS_KEEPOLDKEYS=1%'")
        #expect(removals == "2")
    }

    @Test func aWrongPINIsRefusedAndAudited() async throws {
        let hsm = try await Self.shared.get(), system = hsm.system
        _ = try await hsm.makeSigner("HSMWrongPIN", activate: false)
        let refused = try await system.cli(["activatecryptotoken", "HSMWrongPIN", "not-the-pin"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("authentication_failed") || refused.stderr.contains("Wrong PIN"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("not-the-pin"))
        let audited = try await system.sql(
            "SELECT count(*) FROM audit_log WHERE event = 'TOKEN_ACTIVATION_FAILED' AND worker_name = 'HSMWrongPIN'")
        #expect(audited == "1")
        #expect(try await system.cli(["activatecryptotoken", "HSMWrongPIN", HSMSystem.pin]).status == 0)
        #expect(!system.log(.renewal).contains("not-the-pin") && !system.log(.renewal).contains(HSMSystem.pin))
    }

    /// SoftHSM lists only the tokens that existed at C_Initialize; a token initialised while the
    /// service runs is found by a re-initialisation, and the tokens already active go on working.
    @Test func aTokenCreatedWhileTheServiceRunsIsActivatedWithoutARestart() async throws {
        let hsm = try await Self.shared.get(), system = hsm.system
        let before = try await hsm.makeSigner("HSMBeforeNewToken", properties: ["KEYALG": "ECDSA", "KEYSPEC": "secp256r1"])
        #expect(try await system.cli(["generatekey", "HSMBeforeNewToken", "-keyalg", "ECDSA", "-keyspec", "secp256r1", "-alias", "HSMBeforeNewToken001"]).status == 0)
        let label = "SignPeerCreatedLater"
        try hsm.hsm.initToken(label: label, pin: HSMSystem.pin)
        // Past PKCS11Tokens.rescanInterval since the module's last C_Initialize.
        try await Task.sleep(for: .seconds(2.5))
        let created = try await hsm.makeSigner("HSMOnNewToken", properties: ["KEYALG": "ECDSA", "KEYSPEC": "secp256r1"], token: label)
        #expect(try await system.cli(["generatekey", "HSMOnNewToken", "-keyalg", "ECDSA", "-keyspec", "secp256r1", "-alias", "HSMOnNewToken001"]).status == 0)
        #expect(try await hsm.hsm.labels(token: label, pin: HSMSystem.pin, type: "privkey").contains("HSMOnNewToken001"))
        for id in [before, created] {
            let renewal = try await system.renew(id)
            #expect(renewal.status == 200, "\(renewal.body)")
        }
    }

    @Test func aMissingModuleOrUnknownLibraryNameIsAClearPropertyError() async throws {
        let hsm = try await Self.shared.get(), system = hsm.system
        for (name, library) in [("HSMNoModule", "SHAREDLIBRARY=/nonexistent/libpkcs11.so"), ("HSMUnknownName", "SHAREDLIBRARYNAME=Nope"),
                                ("HSMOtherName", "SHAREDLIBRARYNAME=Other")]
        {
            try await hsm.apply(
                ["WORKERGENID1.NAME=\(name)", "WORKERGENID1.TYPE=CRYPTO_WORKER",
                 "WORKERGENID1.CRYPTOTOKEN_IMPLEMENTATION_CLASS=PKCS11CryptoToken", "WORKERGENID1.\(library)",
                 "WORKERGENID1.SLOTLABELTYPE=SLOT_LABEL", "WORKERGENID1.SLOTLABELVALUE=\(HSMSystem.tokenLabel)"], file: name)
            let activated = try await system.cli(["activatecryptotoken", name, HSMSystem.pin])
            #expect(activated.status != 0)
            #expect(activated.stderr.contains("SHAREDLIBRARY"), "\(activated.stderr)")
        }
        #expect(try await system.readyStatus() == 200)
    }

    @Test func thePINPropertyActivatesAtStartAndAHungHSMCallIsBounded() async throws {
        let hsm = try await Self.shared.get(), system = hsm.system
        let id = try await hsm.makeSigner("HSMAuto", properties: ["PIN": HSMSystem.pin, "KEYALG": "Ed25519"], activate: false)
        #expect(try await system.cli(["generatekey", "HSMAuto", "-keyalg", "Ed25519", "-alias", "HSMAuto001"]).status != 0,
                "not active before a restart or activation")
        let config = try await system.cli(["getconfig", "HSMAuto"])
        #expect(config.stdout.contains("PIN=_MASKED_") && !config.stdout.contains(HSMSystem.pin), "\(config.stdout)")
        // Restarted with a short call timeout for the hung-HSM part below.
        system.stop(.renewal)
        try system.start(.renewal, extraEnvironment: [
            "SOFTHSM2_CONF": hsm.hsm.configuration, "SIGNPEER_PKCS11_LIBRARIES": "SoftHSM=\(SoftHSM.modulePath);Other=/opt/none.so",
            "SIGNPEER_PKCS11_CALL_TIMEOUT": "3",
        ])
        try await system.waitUntilReady()
        #expect(try await system.cli(["generatekey", "HSMAuto", "-keyalg", "Ed25519", "-alias", "HSMAuto001"]).status == 0)
        #expect(try await hsm.waitForActive(id, true, timeout: .seconds(20)) == true)

        // A hung HSM: another process holds SoftHSM's file locks, so key generation blocks in the
        // module. The renewal answers 503 after the call timeout instead of hanging.
        let holder = try HSMLockHolder(tokens: hsm.hsm.tokens)
        let started = ContinuousClock.now
        let hung = try await system.renew(id)
        let waited = ContinuousClock.now - started
        holder.release()
        #expect(hung.status == 503 && hung.errorCode == "service_unavailable", "\(hung.status) \(hung.body) after \(waited)")
        #expect(waited < .seconds(10), "bounded by SIGNPEER_PKCS11_CALL_TIMEOUT, not by the HSM")
        var recovered: CurlResult?
        for _ in 0..<20 {
            recovered = try await system.renew(id)
            if recovered?.status == 200 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(recovered?.status == 200, "\(recovered?.body ?? "")")
    }

    @Test func theDemoCAScriptRenewsTheHSMDemoWorker() async throws {
        // What up.sh does: the SignPeerDemo token, the demo HSM worker, its PIN, its first key.
        let demo = try await HSMSystem.start(name: "hsmdemo", tokens: ["SignPeerDemo"])
        let system = demo.system
        defer { system.shutdown() }
        #expect(try await system.cli(["setproperties", RepositoryPaths.root + "/deploy/local/demo-hsm-workers.properties"]).status == 0)
        #expect(try await system.cli(["activatecryptotoken", "DemoHSMSigner", HSMSystem.pin]).status == 0)
        #expect(try await system.cli(["generatekey", "DemoHSMSigner", "-keyalg", "ECDSA", "-keyspec", "secp384r1", "-alias", "hsmKey001"]).status == 0)
        var environment = ProcessInfo.processInfo.environment
        environment["SIGNPEER_DEMO_PKI"] = system.pki
        environment["SIGNPEER_GATEWAY_PORT"] = String(system.gatewayPort)
        let run = try await ProcessRunner.run(RepositoryPaths.root + "/deploy/local/demo-ca.sh", [], environment: environment)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let after = run.stdout.components(separatedBy: "key bindings after").last ?? ""
        #expect(after.contains("DemoHSMSigner") && after.contains("key=hsmKey002") && !after.contains("sha256=null"), "\(after)")
        #expect(run.stdout.contains("CSR for key hsmKey002") && run.stdout.contains("verify OK"))
        let labels = try await demo.hsm.labels(token: "SignPeerDemo", pin: HSMSystem.pin, type: "privkey")
        #expect(labels.contains("hsmKey002"), "\(labels)")
    }

    @Test func aTokenWhoseHSMIsAwayAtStartIsActivatedWhenItComesBack() async throws {
        let hsm = try await Self.shared.get(), system = hsm.system
        let id = try await hsm.makeSigner("HSMLate", properties: ["PIN": HSMSystem.pin, "KEYALG": "ECDSA"])
        #expect(try await system.cli(["generatekey", "HSMLate", "-keyalg", "ECDSA", "-keyspec", "secp256r1", "-alias", "HSMLate001"]).status == 0)
        system.stop(.renewal)
        let away = hsm.hsm.tokens + ".away"
        try FileManager.default.moveItem(atPath: hsm.hsm.tokens, toPath: away)
        try system.start(.renewal, extraEnvironment: [
            "SOFTHSM2_CONF": hsm.hsm.configuration, "SIGNPEER_PKCS11_LIBRARIES": "SoftHSM=\(SoftHSM.modulePath);Other=/opt/none.so",
        ])
        try await system.waitUntilReady()
        let offline = try await hsm.waitForActive(id, false, timeout: .seconds(5))
        try FileManager.default.moveItem(atPath: away, toPath: hsm.hsm.tokens)
        #expect(offline == false)
        #expect(
            try await hsm.waitForActive(id, true, timeout: .seconds(60)) == true,
            "activated once the HSM is back, without a restart:\n\(system.log(.renewal).suffix(4000))")
        #expect(try await system.renew(id).status == 200)
    }

    /// Moves the shared token directory, so it puts it back before any expectation can stop it:
    /// the other tests of the suite see the HSM again.
    @Test func theTokenDirectoryMovedAwayAndBackRecoversWithoutRestart() async throws {
        let hsm = try await Self.shared.get(), system = hsm.system
        let id = try await hsm.makeSigner("HSMOutage", properties: ["KEYALG": "ECDSA", "KEYSPEC": "secp256r1"])
        #expect(try await system.cli(["generatekey", "HSMOutage", "-keyalg", "ECDSA", "-keyspec", "secp256r1", "-alias", "HSMOutage001"]).status == 0)
        #expect(try await hsm.waitForActive(id, true, timeout: .seconds(10)) == true)

        let away = hsm.hsm.tokens + ".away"
        try FileManager.default.moveItem(atPath: hsm.hsm.tokens, toPath: away)
        let offline = try await hsm.waitForActive(id, false, timeout: .seconds(20))
        let renewal = try await system.renew(id)
        let stillUp = try await system.readyStatus()
        try FileManager.default.moveItem(atPath: away, toPath: hsm.hsm.tokens)
        #expect(offline == false, "the listing shows the token offline")
        #expect(renewal.status == 409 && renewal.errorCode == "crypto_token_offline", "\(renewal.body)")
        #expect(stillUp == 200, "the service stays up")
        #expect(system.log(.renewal).contains("CKR_"), "the outage is logged with its PKCS#11 code")
        let metrics = try await ProcessRunner.run("curl", ["-s", "http://127.0.0.1:\(system.renewalPort)/metrics"]).stdout
        #expect(metrics.contains("signpeer_pkcs11_outages_total"), "\(metrics.prefix(300))")

        #expect(try await hsm.waitForActive(id, true, timeout: .seconds(60)) == true, "active again without a restart")
        let again = try await system.renew(id)
        #expect(again.status == 200, "\(again.body)")
        #expect(system.terminationStatus(.renewal) == nil)
    }
}

/// Holds exclusive POSIX locks on every file of a SoftHSM token directory from another
/// process (Python's fcntl.lockf), which makes SoftHSM's writers wait: a real hung HSM call.
final class HSMLockHolder: @unchecked Sendable {
    // @unchecked Sendable: `process` is set once in init.
    private let process = Process()

    init(tokens: String) throws {
        let ready = tokens + "/../locks-held"
        try? FileManager.default.removeItem(atPath: ready)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            """
            import fcntl, glob, sys, time
            files = [open(p, 'r+') for p in glob.glob(sys.argv[1] + '/*/*')]
            for f in files: fcntl.lockf(f, fcntl.LOCK_EX)
            open(sys.argv[2], 'w').close()
            time.sleep(120)
            """, tokens, ready,
        ]
        try process.run()
        ChildProcesses.register(process.processIdentifier)
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: ready) { usleep(50_000) }
    }

    func release() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        ChildProcesses.unregister(process.processIdentifier)
    }
}
