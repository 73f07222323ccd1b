import Foundation
import SignPeerTestSupport
import Testing

/// SPEC §6 and §13 for `KeystoreInConfigCryptoToken`: one row per key, sealed under a key
/// derived from the token's code, so an operation touches only the row of the key it changes
/// (PostgreSQL's `xmin` of the other rows proves it); the conversion of a PKCS#12 key store
/// written by the code before per-key storage; `PEERS_KEEPOLDKEYS`; `exportkeystore`.
@Suite("Token storage", .serialized)
struct TokenStorageTests {
    /// `alias:xmin` of every key row of token worker `id`, by alias.
    static func rowVersions(_ system: SignPeerSystem, _ id: Int) async throws -> [String: String] {
        let text = try await system.sql(
            "SELECT coalesce(string_agg(alias || ':' || xmin::text, ',' ORDER BY alias), '') FROM token_keys WHERE worker_id = \(id)")
        var rows: [String: String] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: ":")
            rows[String(parts[0])] = String(parts[1])
        }
        return rows
    }

    @Test func eachKeyIsItsOwnSealedRowAndOnlyThatRowChanges() async throws {
        let system = try await RenewalTests.system()
        let id = try await system.makeSigner(
            "PerKeySigner", properties: ["KEYALG": "ECDSA", "KEYSPEC": "secp256r1"], code: "per-key-code")
        #expect(
            try await system.sql("SELECT algorithm || '|' || iterations || '|' || length(salt) FROM token_kdf WHERE worker_id = \(id)")
                == "PBKDF2-HMAC-SHA256|600000|16")
        #expect(try await system.sql("SELECT count(*) FROM key_stores WHERE worker_id = \(id)") == "0")
        for alias in ["key00001", "spare1", "spare2"] {
            let generated = try await system.cli(["generatekey", "PerKeySigner", "-keyalg", "ECDSA", "-keyspec", "P-256", "-alias", alias])
            #expect(generated.status == 0, "\(generated.stderr)")
        }
        let before = try await Self.rowVersions(system, id)
        #expect(Set(before.keys) == ["key00001", "spare1", "spare2"])

        // A renewal adds one row and leaves the others untouched.
        let renewal = try await system.renew(id)
        #expect(renewal.status == 200, "\(renewal.body)")
        var after = try await Self.rowVersions(system, id)
        #expect(Set(after.keys) == ["key00001", "key00002", "spare1", "spare2"])
        for (alias, version) in before { #expect(after[alias] == version, "row \(alias) was rewritten") }

        // Removing a key deletes its row only; installing changes no key row at all.
        #expect(try await system.cli(["removekey", "PerKeySigner", "spare1"]).status == 0)
        let csr = try #require(try renewal.json()["csr"] as? String)
        let leaf = try await system.issue(csr: csr, name: "perkey")
        #expect(try await system.install(id, pemFile: try system.chainFile(leaf: leaf)).status == 200)
        let afterRemove = try await Self.rowVersions(system, id)
        #expect(Set(afterRemove.keys) == ["key00001", "key00002", "spare2"])
        after.removeValue(forKey: "spare1")
        #expect(afterRemove == after)

        // The stored key is sealed: the row holds no PKCS#8 structure in the clear, and its public
        // half is the listed key.
        let sealed = try await system.sql(
            "SELECT encode(sealed_private_key, 'hex') FROM token_keys WHERE worker_id = \(id) AND alias = 'key00002'")
        #expect(sealed.count > 2 * (12 + 16 + 60))
        #expect(!sealed.contains("06072a8648ce3d0201"), "the EC public key OID would show in a clear PKCS#8")

        // A wrong code is refused; the right one brings every key back.
        #expect(try await system.cli(["deactivatecryptotoken", "PerKeySigner"]).status == 0)
        let wrong = try await system.cli(["activatecryptotoken", "PerKeySigner", "not-the-code"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("authentication"), "\(wrong.stderr)")
        #expect(try await system.cli(["activatecryptotoken", "PerKeySigner", "per-key-code"]).status == 0)
        let entries = try await system.cli(["querytokenentries", "PerKeySigner"])
        for alias in ["key00001", "key00002", "spare2"] { #expect(entries.stdout.contains(alias), "\(entries.stdout)") }
        let binding = try await system.binding(id)
        #expect(binding["keyAlias"] as? String == "key00002")
        #expect(binding["cryptoTokenActive"] as? Bool == true)
        let test = try await system.cli(["testkey", "PerKeySigner"])
        #expect(test.status == 0, "\(test.stdout) \(test.stderr)")
    }

    @Test func theListingsTokenStatusComesFromMemoryNotFromTheStoredKeys() async throws {
        let system = try await RenewalTests.system()
        let id = try await system.makeSigner("StatusFromMemory", properties: ["KEYALG": "ECDSA"])
        #expect(try await system.cli(["generatekey", "StatusFromMemory", "-keyalg", "ECDSA", "-keyspec", "P-384", "-alias", "key00001"]).status == 0)
        let before = try await system.binding(id)
        // Make the stored key unreadable: an active token still answers from what it holds.
        _ = try await system.sql("UPDATE token_keys SET sealed_private_key = '\\x00' WHERE worker_id = \(id)")
        let after = try await system.binding(id)
        #expect(after["cryptoTokenActive"] as? Bool == true)
        #expect(after["keySpecification"] as? String == "secp384r1")
        #expect(after["subjectKeyId"] as? String == before["subjectKeyId"] as? String)
        let listed = try await system.curl("/peer/v1/keybindings", as: "peer").json()["keyBindings"] as? [[String: Any]]
        #expect(listed?.first { $0["id"] as? Int == id }?["subjectKeyId"] as? String == before["subjectKeyId"] as? String)
        // Reading the rows happens at activation only, and a row that does not open is refused then.
        #expect(try await system.cli(["deactivatecryptotoken", "StatusFromMemory"]).status == 0)
        #expect(try await system.cli(["activatecryptotoken", "StatusFromMemory", "foo123"]).status != 0)
        #expect(try await system.binding(id)["cryptoTokenActive"] as? Bool == false)
    }

    /// A key store the code before per-key storage wrote (`Fixtures/legacy-keystore.p12.b64`,
    /// taken from a `key_stores` row of that code, code `legacy-code-1`).
    static let legacyAliases = ["legacyEC": "EC", "legacyEd": "Ed25519", "legacyRSA": "RSA"]

    @Test func convertsAPKCS12KeyStoreOfTheEarlierCodeOnFirstActivation() async throws {
        let system = try await RenewalTests.system()
        let fixture = RepositoryPaths.root + "/Tests/IntegrationTests/Fixtures/legacy-keystore.p12.b64"
        let base64 = try String(contentsOfFile: fixture, encoding: .utf8).filter { !$0.isWhitespace }
        let expectedKeyIDs = try String(
            contentsOfFile: RepositoryPaths.root + "/Tests/IntegrationTests/Fixtures/legacy-keystore.skis", encoding: .utf8)
        let file = system.directory + "/legacy.properties"
        try """
            WORKERGENID1.NAME=LegacySigner
            WORKERGENID1.TYPE=PROCESSABLE
            WORKERGENID1.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken
            WORKERGENID1.KEYALG=ECDSA
            WORKERGENID1.DEFAULTKEY=legacyEC
            WORKERGENID1.PEERS_VISIBLE=true
            """.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try await system.cli(["setproperties", file]).status == 0)
        let id = Int(try await system.sql("SELECT id FROM workers WHERE name = 'LegacySigner'"))!
        _ = try await system.sql("INSERT INTO key_stores (worker_id, pkcs12) VALUES (\(id), decode('\(base64)', 'base64'))")
        let blob = try await system.sql("SELECT md5(pkcs12) FROM key_stores WHERE worker_id = \(id)")

        // A wrong code converts nothing and keeps the old store.
        let wrong = try await system.cli(["activatecryptotoken", "LegacySigner", "legacy-code-2"])
        #expect(wrong.status != 0)
        #expect(try await system.sql("SELECT md5(pkcs12) FROM key_stores WHERE worker_id = \(id)") == blob)
        #expect(try await system.sql("SELECT count(*) FROM token_kdf WHERE worker_id = \(id)") == "0")

        let activated = try await system.cli(["activatecryptotoken", "LegacySigner", "legacy-code-1"])
        #expect(activated.status == 0, "\(activated.stderr)")
        #expect(try await system.sql("SELECT count(*) FROM key_stores WHERE worker_id = \(id)") == "0")
        #expect(
            try await system.sql("SELECT string_agg(alias, ',' ORDER BY alias) FROM token_keys WHERE worker_id = \(id)")
                == "legacyEC,legacyEd,legacyRSA")
        #expect(
            try await system.sql(
                "SELECT details FROM audit_log WHERE event = 'TOKEN_ACTIVATED' AND worker_id = \(id) ORDER BY seq DESC LIMIT 1"
            ).contains("\"convertedKeys\":\"3\""))

        // Every key is the same key as before: its identifier matches what the earlier code listed.
        let entries = try await system.cli(["querytokenentries", "LegacySigner"])
        for line in expectedKeyIDs.split(separator: "\n") {
            let parts = line.split(separator: " ")
            #expect(entries.stdout.contains(String(parts[1])), "\(parts[0]) keeps its key \(parts[1])")
        }
        // ...and it signs: a CSR for the converted key verifies with openssl.
        let renewal = try await system.renew(id, renewKeys: false)
        #expect(renewal.status == 200, "\(renewal.body)")
        #expect(try renewal.json()["keyAlias"] as? String == "legacyEC")
        let csrPath = system.directory + "/legacy.csr"
        try #require(try renewal.json()["csr"] as? String).write(toFile: csrPath, atomically: true, encoding: .utf8)
        let verify = try await ProcessRunner.run("openssl", ["req", "-in", csrPath, "-noout", "-verify"])
        #expect(verify.status == 0, "\(verify.stderr)")

        // A second activation opens the rows (no second conversion).
        #expect(try await system.cli(["deactivatecryptotoken", "LegacySigner"]).status == 0)
        #expect(try await system.cli(["activatecryptotoken", "LegacySigner", "legacy-code-1"]).status == 0)
        #expect(try await system.binding(id)["cryptoTokenActive"] as? Bool == true)
    }

    /// Renews and installs once; returns the alias now in use.
    static func cycle(_ system: SignPeerSystem, _ id: Int, name: String) async throws -> String {
        let renewal = try await system.renew(id)
        let csr = try #require(try renewal.json()["csr"] as? String, "\(renewal.body)")
        let leaf = try await system.issue(csr: csr, name: name)
        let installed = try await system.install(id, pemFile: try system.chainFile(leaf: leaf))
        #expect(installed.status == 200, "\(installed.body)")
        return try #require(try installed.json()["keyAlias"] as? String)
    }

    static func aliases(_ system: SignPeerSystem, _ id: Int) async throws -> String {
        try await system.sql("SELECT string_agg(alias, ',' ORDER BY alias) FROM token_keys WHERE worker_id = \(id)")
    }

    @Test func keepOldKeysDeletesAllButTheMostRecentSupersededKeysAndAuditsEach() async throws {
        let system = try await RenewalTests.system()
        let kept = try await system.makeSigner("KeepOneOld", properties: ["KEYALG": "ECDSA", "PEERS_KEEPOLDKEYS": "1"])
        let all = try await system.makeSigner("KeepEveryOld", properties: ["KEYALG": "ECDSA"])
        for name in ["KeepOneOld", "KeepEveryOld"] {
            #expect(try await system.cli(["generatekey", name, "-keyalg", "ECDSA", "-keyspec", "P-256", "-alias", "key00001"]).status == 0)
            #expect(try await system.cli(["generatekey", name, "-keyalg", "ECDSA", "-keyspec", "P-256", "-alias", "unrelated"]).status == 0)
        }
        for round in 1...3 {
            #expect(try await Self.cycle(system, kept, name: "keep1-\(round)") == "key0000\(round + 1)")
            #expect(try await Self.cycle(system, all, name: "keepall-\(round)") == "key0000\(round + 1)")
        }
        // n = 1: the current key, the one superseded last, and keys no install superseded.
        #expect(try await Self.aliases(system, kept) == "key00003,key00004,unrelated")
        // Unset: every superseded key stays, as in SignServer.
        #expect(try await Self.aliases(system, all) == "key00001,key00002,key00003,key00004,unrelated")
        let removals = try await system.sql(
            """
            SELECT string_agg(details, '\n' ORDER BY seq) FROM audit_log
            WHERE event = 'KEY_REMOVED' AND worker_id = \(kept)
            """)
        #expect(removals.contains("\"alias\":\"key00001\"") && removals.contains("\"alias\":\"key00002\""), "\(removals)")
        #expect(removals.components(separatedBy: "PEERS_KEEPOLDKEYS=1").count == 3, "\(removals)")
        #expect(try await system.sql("SELECT count(*) FROM audit_log WHERE event = 'KEY_REMOVED' AND worker_id = \(all)") == "0")

        // Not a number of keys: refused when set, nothing changes.
        let refused = try await system.cli(["setproperty", "KeepOneOld", "PEERS_KEEPOLDKEYS", "many"])
        #expect(refused.status != 0 && refused.stderr.contains("PEERS_KEEPOLDKEYS"), "\(refused.stderr)")
        #expect(try await system.sql("SELECT value FROM worker_properties WHERE worker_id = \(kept) AND name = 'PEERS_KEEPOLDKEYS'") == "1")

        // n = 0 deletes the remaining superseded key at the next install; the binding keeps working.
        #expect(try await system.cli(["setproperty", "KeepOneOld", "PEERS_KEEPOLDKEYS", "0"]).status == 0)
        #expect(try await Self.cycle(system, kept, name: "keep0") == "key00005")
        #expect(try await Self.aliases(system, kept) == "key00005,unrelated")
        #expect(try await system.binding(kept)["cryptoTokenActive"] as? Bool == true)
    }

    @Test func exportKeyStoreWritesThePKCS12UnderANewPassword() async throws {
        let system = try await RenewalTests.system()
        _ = try await system.makeSigner("ExportSigner", properties: ["KEYALG": "ECDSA"], code: "export-code")
        #expect(try await system.cli(["generatekey", "ExportSigner", "-keyalg", "ECDSA", "-keyspec", "P-256", "-alias", "key00001"]).status == 0)
        #expect(try await system.cli(["generatekey", "ExportSigner", "-keyalg", "Ed25519", "-alias", "edKey"]).status == 0)
        let file = system.directory + "/export.p12"
        let exported = try await system.cli(["exportkeystore", "ExportSigner", file, "new-pass-1"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout == "Exported 2 keys to \(file)\n")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let info = try await ProcessRunner.run("openssl", ["pkcs12", "-in", file, "-passin", "pass:new-pass-1", "-nodes", "-info"])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.contains("friendlyName: key00001") && info.stdout.contains("friendlyName: edKey"))
        let wrong = try await ProcessRunner.run("openssl", ["pkcs12", "-in", file, "-passin", "pass:export-code", "-nokeys"])
        #expect(wrong.status != 0)
        let audit = try await system.sql("SELECT string_agg(details, '') FROM audit_log")
        #expect(!exported.stdout.contains("new-pass-1") && !audit.contains("new-pass-1"))
        #expect(try await system.sql("SELECT count(*) FROM audit_log WHERE event = 'KEYSTORE_EXPORTED'") == "1")
        // Offline tokens export nothing.
        #expect(try await system.cli(["deactivatecryptotoken", "ExportSigner"]).status == 0)
        #expect(try await system.cli(["exportkeystore", "ExportSigner", file + ".2", "x"]).status != 0)
    }
}
