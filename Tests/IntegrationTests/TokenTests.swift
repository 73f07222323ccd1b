import Foundation
import SignPeerTestSupport
import Testing

/// Crypto tokens beyond the default: a PKCS#12 file shared by two workers through a
/// CRYPTO_WORKER, the key and CSR commands of the CLI, and the demo CA script run against a
/// real system.
@Suite("Crypto tokens", .serialized)
struct TokenTests {
    @Test func aSharedPKCS12FileTokenRenewsAndWorksWithTheCLI() async throws {
        let system = try await RenewalTests.system()
        let keystore = system.directory + "/shared-token.p12"
        let file = system.directory + "/file-token.properties"
        try """
            WORKERGENID1.NAME=FileToken
            WORKERGENID1.TYPE=CRYPTO_WORKER
            WORKERGENID1.CRYPTOTOKEN_IMPLEMENTATION_CLASS=org.signserver.server.cryptotokens.KeystoreCryptoToken
            WORKERGENID1.KEYSTORETYPE=PKCS12
            WORKERGENID1.KEYSTOREPATH=\(keystore)
            WORKERGENID2.NAME=FileSignerA
            WORKERGENID2.CRYPTOTOKEN=FileToken
            WORKERGENID2.KEYALG=ECDSA
            WORKERGENID2.KEYSPEC=P-256
            WORKERGENID2.DEFAULTKEY=sharedA1
            WORKERGENID2.PEERS_VISIBLE=true
            WORKERGENID3.NAME=FileSignerB
            WORKERGENID3.CRYPTOTOKEN=FileToken
            WORKERGENID3.KEYALG=Ed25519
            WORKERGENID3.DEFAULTKEY=sharedA1
            WORKERGENID3.PEERS_VISIBLE=true
            """.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try await system.cli(["setproperties", file]).status == 0)
        let activate = try await system.cli(["activatecryptotoken", "FileToken", "file-code-1"])
        #expect(activate.status == 0, "\(activate.stderr)")
        #expect(FileManager.default.fileExists(atPath: keystore), "the first activation creates the key store")

        // Both workers renew in the one token; the second skips the alias the first took.
        let idA = Int(try await system.sql("SELECT id FROM workers WHERE name = 'FileSignerA'"))!
        let idB = Int(try await system.sql("SELECT id FROM workers WHERE name = 'FileSignerB'"))!
        let a = try await system.renew(idA)
        let b = try await system.renew(idB)
        #expect(try a.json()["keyAlias"] as? String == "sharedA2")
        #expect(try b.json()["keyAlias"] as? String == "sharedA3")
        for (id, response) in [(idA, a), (idB, b)] {
            let csr = try #require(try response.json()["csr"] as? String)
            let leaf = try await system.issue(csr: csr, name: "file-\(id)")
            #expect(try await system.install(id, pemFile: try system.chainFile(leaf: leaf)).status == 200)
            #expect(try await system.binding(id)["cryptoTokenName"] as? String == "FileToken")
        }
        // The file is a real PKCS#12 that openssl reads with the code, holding both keys by alias.
        let info = try await ProcessRunner.run(
            "openssl", ["pkcs12", "-in", keystore, "-passin", "pass:file-code-1", "-nodes", "-info"])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.contains("friendlyName: sharedA2") && info.stdout.contains("friendlyName: sharedA3"))

        // The CLI's key commands on the same token.
        let generated = try await system.cli(["generatekey", "FileSignerA", "-keyalg", "RSA", "-keyspec", "2048", "-alias", "extraKey"])
        #expect(generated.stdout.contains("Created key extraKey (RSA 2048)"), "\(generated.stdout) \(generated.stderr)")
        let entries = try await system.cli(["querytokenentries", "FileSignerB"])
        for alias in ["sharedA2", "sharedA3", "extraKey"] { #expect(entries.stdout.contains(alias)) }
        let csrFile = system.directory + "/extra.csr"
        let request = try await system.cli([
            "generatecertreq", "FileSignerA", "CN=Extra Key,O=SignPeer Tests,C=SE", "SHA256withRSAandMGF1", csrFile,
            "-alias", "extraKey",
        ])
        #expect(request.status == 0, "\(request.stderr)")
        let verified = try await ProcessRunner.run("openssl", ["req", "-in", csrFile, "-noout", "-verify", "-text"])
        #expect((verified.stdout + verified.stderr).contains("verify OK"))
        #expect(verified.stdout.contains("rsassaPss"))
        #expect(try await system.cli(["testkey", "FileSignerA", "extraKey"]).status == 0)
        #expect(try await system.cli(["removekey", "FileSignerA", "extraKey"]).status == 0)
        #expect(!(try await system.cli(["querytokenentries", "FileSignerA"]).stdout.contains("extraKey")))
        let upload = try await system.cli(["uploadsignercertificate", "FileSignerB", "GLOB", system.directory + "/file-\(idB).pem"])
        #expect(upload.status == 0, "\(upload.stderr)")
    }

    @Test func theDemoCAScriptRenewsTheDemoWorkersAndSkipsWhatItCannot() async throws {
        let system = try await SignPeerSystem(name: "democa")
        defer { system.shutdown() }
        try await system.start()
        // Listed before the demo workers: a signer whose token is never activated, and a disabled
        // one on the shared demo token.
        let offline = system.directory + "/offline.properties"
        try """
            WORKERGENID1.NAME=OfflineSigner
            WORKERGENID1.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken
            WORKERGENID1.DEFAULTKEY=offKey001
            WORKERGENID1.PEERS_VISIBLE=true
            WORKERGENID2.NAME=DisabledSigner
            WORKERGENID2.CRYPTOTOKEN=DemoCryptoToken
            WORKERGENID2.DEFAULTKEY=ecKey001
            WORKERGENID2.DISABLED=true
            WORKERGENID2.PEERS_VISIBLE=true
            """.write(toFile: offline, atomically: true, encoding: .utf8)
        #expect(try await system.cli(["setproperties", offline]).status == 0)
        // What up.sh does for the demo workers.
        #expect(try await system.cli(["setproperties", RepositoryPaths.root + "/deploy/local/demo-workers.properties"]).status == 0)

        var environment = ProcessInfo.processInfo.environment
        environment["SIGNPEER_DEMO_PKI"] = system.pki
        environment["SIGNPEER_GATEWAY_PORT"] = String(system.gatewayPort)
        let script = RepositoryPaths.root + "/deploy/local/demo-ca.sh"

        // No token active yet: every binding is skipped, and that is a failure.
        let nothing = try await ProcessRunner.run(script, [], environment: environment)
        #expect(nothing.status != 0, "\(nothing.stdout)")
        #expect(nothing.stderr.contains("no key binding could be renewed"), "\(nothing.stderr)")
        #expect(nothing.stdout.components(separatedBy: ": skipped, ").count == 5, "\(nothing.stdout)")

        for token in ["DemoRSASigner", "DemoCryptoToken"] {
            #expect(try await system.cli(["activatecryptotoken", token, "demo-code"]).status == 0)
        }
        _ = try await system.cli(["generatekey", "DemoRSASigner", "-keyalg", "RSA", "-keyspec", "2048", "-alias", "signKey00001"])
        _ = try await system.cli(["generatekey", "DemoECSigner", "-keyalg", "ECDSA", "-keyspec", "secp256r1", "-alias", "ecKey001"])

        let run = try await ProcessRunner.run(script, [], environment: environment)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("binding 1 (OfflineSigner): skipped, crypto token OfflineSigner is not active"), "\(run.stdout)")
        #expect(run.stdout.contains("binding 2 (DisabledSigner): skipped, the worker is DISABLED"), "\(run.stdout)")
        #expect(run.stdout.contains("renewed 2, skipped 2, failed 0"), "\(run.stdout)")
        let after = run.stdout.components(separatedBy: "key bindings after").last ?? ""
        #expect(after.contains("DemoRSASigner") && after.contains("key=signKey00002"), "\(after)")
        #expect(after.contains("DemoECSigner") && after.contains("key=ecKey002"), "\(after)")
        #expect(after.contains("OfflineSigner") && after.contains("DisabledSigner"))
        #expect(after.split(separator: "\n").filter { $0.contains("Demo") && $0.contains("sha256=null") }.isEmpty, "\(after)")
    }
}
