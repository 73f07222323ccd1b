import Foundation
import SignPeerTestSupport
import Testing

/// SignServer users' property files through the real CLI against a real system (SPEC §9.1):
/// SignServer's sample shapes apply unchanged and read back with `getconfig` value for value;
/// the lines of a worker come in any order; a broken group rejects the whole file.
@Suite("SignServer property files", .serialized)
struct SignServerFileTests {
    static let system = SharedSystem(name: "signserverfiles")
    static let samples = RepositoryPaths.root + "/Tests/Fixtures/signserver"
    /// In order: the crypto worker first, as the signers refer to it.
    static let sampleFiles = [
        "crypto-worker", "plain-signer", "xml-signer", "cms-signer", "timestamp-signer", "renewal-worker",
    ].map { samples + "/\($0).properties" }

    /// Every row a property file can change, to compare before and after.
    func snapshot(_ system: SignPeerSystem) async throws -> String {
        try await system.sql(
            """
            SELECT coalesce((SELECT string_agg(id || '|' || name || '|' || type || '|' || version, ';' ORDER BY id) FROM workers), '')
                || '#' || coalesce((SELECT string_agg(worker_id || '|' || name || '=' || value, ';' ORDER BY worker_id, name)
                                    FROM worker_properties), '')
                || '#' || coalesce((SELECT string_agg(name || '=' || value, ';' ORDER BY name) FROM global_properties), '')
                || '#' || (SELECT count(*) FROM audit_log)
            """)
    }

    func write(_ text: String, _ system: SignPeerSystem, name: String) throws -> String {
        let path = system.directory + "/\(name).properties"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The properties `getconfig` shows, as `NAME=value` (continuation lines of a multi-line
    /// value joined back with `\n`).
    func shownProperties(_ output: String) -> [String] {
        var properties: [String] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).dropFirst() where !line.isEmpty {
            if line.hasPrefix("    "), !properties.isEmpty {
                properties[properties.count - 1] += "\n" + line.dropFirst(4)
            } else if line.hasPrefix("  "), line != "  (no properties)" {
                properties.append(String(line.dropFirst(2)))
            }
        }
        return properties
    }

    @Test func signServerSampleFilesApplyAndReadBackValueForValue() async throws {
        let system = try await Self.system.get()
        // The independent reading of the samples: the real java.util.Properties.
        let java = try await ProcessRunner.run(
            "java", [RepositoryPaths.root + "/Tests/Fixtures/java/DumpProperties.java"] + Self.sampleFiles)
        try #require(java.status == 0, "\(java.stderr)")
        let parsed = try java.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["properties"]
                as? [String: String]
        }
        try #require(parsed.count == Self.sampleFiles.count)

        for (file, javaProperties) in zip(Self.sampleFiles, parsed) {
            let properties = try #require(javaProperties, "\(file) did not load in Java")
            // One worker per sample: WORKERGENID1.… or WORKER309.…
            let prefix = try #require(properties.keys.first.map { String($0.prefix { $0 != "." }) + "." })
            #expect(properties.keys.allSatisfy { $0.hasPrefix(prefix) }, "\(file)")
            let values = Dictionary(uniqueKeysWithValues: properties.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
            let name = try #require(values["NAME"]), type = try #require(values["TYPE"])

            let applied = try await system.cli(["setproperties", file])
            #expect(applied.status == 0, "\(file): \(applied.stderr)")
            let created = try #require(
                applied.stdout.split(separator: "\n").first { $0.hasPrefix("Created worker \(name) with id ") }, "\(applied.stdout)")
            let id = String(created.split(separator: " ").last ?? "")
            if prefix == "WORKER309." { #expect(id == "309") }

            let config = try await system.cli(["getconfig", name])
            #expect(config.status == 0, "\(config.stderr)")
            #expect(config.stdout.hasPrefix("Configuration for worker \(id) (\(name)), type \(type):\n"), "\(config.stdout)")
            let expected = values.filter { $0.key != "NAME" && $0.key != "TYPE" }.map { "\($0.key)=\($0.value)" }.sorted()
            #expect(shownProperties(config.stdout) == expected, "\(file)")
        }

        // Spot checks of what the samples exercise: continued lines, `\u` escapes, `:` and
        // whitespace separators, values SignPeer does not interpret kept as written.
        let crypto = try await system.cli(["getconfig", "SampleCryptoTokenP11"])
        #expect(crypto.stdout.contains("  ATTRIBUTES=attributes(generate,CKO_PUBLIC_KEY,*) = {CKA_TOKEN = falseCKA_ENCRYPT = false"))
        #expect(crypto.stdout.contains("  KEYGENERATIONLIMIT=100\n"))
        #expect(try await system.cli(["getconfig", "SampleXMLSigner"]).stdout.contains("  DESCRIPTION=Signs invoices for G\u{F6}teborg\n"))
        let cms = try await system.cli(["getconfig", "SampleCMSSigner"])
        #expect(cms.stdout.contains("  DETACHEDSIGNATURE=TRUE\n") && cms.stdout.contains("  CRYPTOTOKEN=SampleCryptoTokenP11\n"))
        let tsa = try await system.cli(["getconfig", "SampleTimeStampSigner"])
        #expect(tsa.stdout.contains("  ACCEPTED_HASH_DIGEST_ALGORITHMS=SHA-256, SHA-384, SHA-512\n"))
        #expect(tsa.stdout.contains("  TSA=CN=Sample TSA,O=SignPeer Samples,C=SE\n"))
        #expect(try await system.cli(["getconfig", "309"]).stdout.contains("  TRUSTSTOREVALUE=MIIBkTCB+wIJAO9rZXkxMjM0NTY3ODkw\n"))

        // Applying a sample again changes the existing worker instead of creating one more.
        let again = try await system.cli(["setproperties", Self.samples + "/renewal-worker.properties"])
        #expect(again.status == 0 && !again.stdout.contains("Created worker"), "\(again.stdout) \(again.stderr)")
        #expect(try await system.sql("SELECT count(*) FROM workers WHERE name = 'SampleRenewalWorker'") == "1")
    }

    @Test func theLinesOfAWorkerComeInAnyOrder() async throws {
        let system = try await Self.system.get()
        let base = Int(try await system.sql("SELECT coalesce(max(id), 0) FROM workers"))!
        let numbered = base + 100
        let file = try write(
            """
            WORKERGENID1.TYPE=PROCESSABLE
            WORKER\(numbered).TYPE=CRYPTO_WORKER
            WORKERGENID2.IMPLEMENTATION_CLASS=org.signserver.module.cmssigner.PlainSigner
            WORKERGENID1.CRYPTOTOKEN=AnyOrderToken
            WORKER\(numbered).CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken
            WORKERGENID2.NAME=AnyOrderSecond
            WORKERGENID1.KEYALG=RSA
            WORKERGENID1.NAME=AnyOrderFirst
            WORKER\(numbered).NAME=AnyOrderToken
            WORKERGENID1.KEYALG=ECDSA
            """, system, name: "any-order")
        let applied = try await system.cli(["setproperties", file])
        #expect(applied.status == 0, "\(applied.stderr)")
        // The numbered worker gets its number; the generated ones come after it.
        #expect(
            applied.stdout
                == """
                Created worker AnyOrderToken with id \(numbered)
                Created worker AnyOrderFirst with id \(numbered + 1)
                Created worker AnyOrderSecond with id \(numbered + 2)
                Applied 9 properties.

                """, "\(applied.stdout)")
        #expect(
            try await system.sql(
                "SELECT string_agg(id || ':' || name || ':' || type, ' ' ORDER BY id) FROM workers WHERE name LIKE 'AnyOrder%'")
                == "\(numbered):AnyOrderToken:CRYPTO_WORKER \(numbered + 1):AnyOrderFirst:PROCESSABLE \(numbered + 2):AnyOrderSecond:PROCESSABLE")
        // The last KEYALG line wins, as in Java's Properties.
        let first = try await system.cli(["getconfig", "AnyOrderFirst"])
        #expect(shownProperties(first.stdout) == ["CRYPTOTOKEN=AnyOrderToken", "KEYALG=ECDSA"], "\(first.stdout)")

        // Existing numbered workers are changed, not created; an empty value and a `-` line remove.
        let change = try write(
            """
            WORKER\(numbered + 2).NOTE=  kept as given, trailing spaces too\u{20}\u{20}
            WORKER\(numbered + 2).IMPLEMENTATION_CLASS=
            -WORKER\(numbered).CRYPTOTOKEN_IMPLEMENTATION_CLASS
            WORKER\(numbered).NAME=AnyOrderToken
            """, system, name: "any-order-change")
        let changed = try await system.cli(["setproperties", change])
        #expect(changed.status == 0 && !changed.stdout.contains("Created"), "\(changed.stdout) \(changed.stderr)")
        #expect(
            try await system.sql("SELECT '[' || value || ']' FROM worker_properties WHERE worker_id = \(numbered + 2)")
                == "[kept as given, trailing spaces too  ]")
        #expect(try await system.sql("SELECT count(*) FROM worker_properties WHERE worker_id = \(numbered)") == "0")
    }

    @Test func aFileWhoseSecondGroupIsBrokenChangesNothing() async throws {
        let system = try await Self.system.get()
        _ = try await system.cli(["setproperty", "global", "SEEN", "before"])
        let before = try await snapshot(system)
        let taken = Int(try await system.sql("SELECT coalesce(max(id), 0) FROM workers"))! + 50
        let firstGroup = """
            GLOB.SEEN=after
            WORKERGENID1.TYPE=PROCESSABLE
            WORKERGENID1.IMPLEMENTATION_CLASS=org.signserver.module.xmlsigner.XMLSigner
            WORKERGENID1.NAME=BrokenFileFirst
            WORKER\(taken).TYPE=PROCESSABLE
            WORKER\(taken).NAME=BrokenFileNumbered

            """
        let broken: [(second: String, code: String, message: String)] = [
            ("WORKERGENID2.TYPE=PROCESSABLE\nWORKERGENID2.KEYALG=RSA\n", "invalid_property",
             "Line 7: WORKERGENID2 has no NAME; add WORKERGENID2.NAME=<name>."),
            ("WORKER\(taken + 1).TYPE=PROCESSABLE\nWORKER\(taken + 1).KEYALG=RSA\n", "worker_not_found",
             "Line 7: No worker '\(taken + 1)'"),
            ("WORKERGENID2.PEERS_VISIBLE=maybe\nWORKERGENID2.NAME=BrokenFileSecond\n", "invalid_property", "Line 7: PEERS_VISIBLE"),
            ("WORKERGENID2.NAME=BrokenFileFirst\n", "invalid_property", "Line 7: A worker named 'BrokenFileFirst'"),
            ("WORKERGENID2.NAME=BrokenFileSecond\nWORKERGENID2.TYPE=NOT_A_TYPE\n", "invalid_property", "Line 8: Invalid TYPE"),
            ("WORKERGENID2.NAME=BrokenFileSecond\nWORKERGENID2.ATTRIBUTES=a\\\n  b\\\n  \\u12G4\n", "invalid_property",
             "Line 10: malformed \\uxxxx encoding."),
            ("WORKERNoSuchWorker.KEYALG=RSA\n", "worker_not_found", "Line 7: No worker 'NoSuchWorker'."),
        ]
        for (index, (second, code, message)) in broken.enumerated() {
            let file = try write(firstGroup + second, system, name: "broken-\(index)")
            let result = try await system.cli(["setproperties", file])
            #expect(result.status != 0, "\(second)")
            #expect(result.stderr.contains(code) && result.stderr.contains(message), "\(second): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(try await snapshot(system) == before, "\(second) changed something")
        }
        // The first group alone applies.
        let good = try await system.cli(["setproperties", try write(firstGroup, system, name: "good")])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try await snapshot(system) != before)
    }

    @Test func latin1FilesAndUnicodeEscapesStoreTheSameText() async throws {
        let system = try await Self.system.get()
        let latin1 = system.directory + "/latin1.properties"
        try Data(Array("WORKERGENID1.NAME=Latin1Worker\nWORKERGENID1.CITY=".utf8) + [0x4D, 0xE4, 0x6C, 0x61, 0x72, 0x0A])
            .write(to: URL(fileURLWithPath: latin1))
        let utf8 = try write("WORKERLatin1Worker.TOWN=M\u{E4}lar\nWORKERLatin1Worker.LAKE=M\\u00e4lar\n", system, name: "utf8")
        #expect(try await system.cli(["setproperties", latin1]).status == 0)
        #expect(try await system.cli(["setproperties", utf8]).status == 0)
        let config = try await system.cli(["getconfig", "Latin1Worker"])
        #expect(shownProperties(config.stdout) == ["CITY=M\u{E4}lar", "LAKE=M\u{E4}lar", "TOWN=M\u{E4}lar"], "\(config.stdout)")
    }
}
