import Foundation
import SignPeerCore
import SignPeerCrypto
@testable import SignPeerPKCS11
import SignPeerTestSupport
import Synchronization
import Testing

/// ``PKCS11Token`` against a real SoftHSM2, with `pkcs11-tool` and `openssl` as the independent
/// checks of what is in the token and of every signature. Serialized: SoftHSM's file store is
/// not consistent for a reader in one process while another process (pkcs11-tool) writes.
@Suite("PKCS#11 token", .serialized)
struct PKCS11TokenTests {
    @Test func slotsResolveByLabelIndexAndNumber() async throws {
        let module = try await PKCS11Fixture.module()
        defer { Task { await module.release() } }
        // pkcs11-tool -L lists the slots in the module's order: "Slot <n> (0x<id>): …" then the label.
        let listing = try await ProcessRunner.run(
            "pkcs11-tool", ["--module", SoftHSM.modulePath, "-L"], environment: PKCS11Fixture.hsm.environment)
        var slots: [(index: Int, id: UInt, label: String)] = []
        for line in listing.stdout.split(separator: "\n") {
            if line.hasPrefix("Slot "), let open = line.firstIndex(of: "("), let close = line.firstIndex(of: ")") {
                let index = Int(line.dropFirst(5).prefix { $0.isNumber })!
                slots.append((index, UInt(line[line.index(open, offsetBy: 3)..<close], radix: 16)!, ""))
            } else if line.contains("token label"), !slots.isEmpty {
                slots[slots.count - 1].label = String(line.split(separator: ":", maxSplits: 1)[1]).trimmingWhitespace()
            }
        }
        let b = try #require(slots.first { $0.label == "unit-b" })
        for selector in [PKCS11SlotSelector.label("unit-b"), .index(b.index), .number(b.id),
                         try PKCS11SlotSelector(type: "SLOT_INDEX", value: "i\(b.index)")] {
            let token = PKCS11Token(module: module, slot: selector, pin: PKCS11Fixture.pinB, callTimeout: .seconds(30))
            try await token.activate()
            await token.close()
        }
        let missing = PKCS11Token(module: module, slot: .label("no-such-token"), pin: "x", callTimeout: .seconds(30))
        await #expect { try await missing.activate() } throws: { ($0 as? SignPeerError)?.code == .cryptoTokenOffline }
    }

    @Test func aWrongPINIsRefusedEvenWhileTheSlotIsLoggedIn() async throws {
        let module = try await PKCS11Fixture.module()
        defer { Task { await module.release() } }
        let wrong = PKCS11Token(module: module, slot: .label("unit-b"), pin: "0000", callTimeout: .seconds(30))
        await #expect { try await wrong.activate() } throws: { ($0 as? SignPeerError)?.code == .authenticationFailed }
        let right = try await PKCS11Fixture.token("unit-b")
        let second = PKCS11Token(module: module, slot: .label("unit-b"), pin: "0000", callTimeout: .seconds(30))
        await #expect { try await second.activate() } throws: { ($0 as? SignPeerError)?.code == .authenticationFailed }
        await right.close()
    }

    @Test(arguments: [
        ("RSA", "2048", "SHA256withRSA", "sha256WithRSAEncryption"),
        ("RSA", "1024", "SHA384withRSAandMGF1", "rsassaPss"),
        ("RSA", "1024", "SHA512withRSA", "sha512WithRSAEncryption"),
        ("ECDSA", "secp256r1", "SHA256withECDSA", "ecdsa-with-SHA256"),
        ("ECDSA", "secp384r1", "SHA384withECDSA", "ecdsa-with-SHA384"),
        ("ECDSA", "secp521r1", "SHA512withECDSA", "ecdsa-with-SHA512"),
        ("ECDSA", "brainpoolP256r1", "SHA256withECDSA", "ecdsa-with-SHA256"),
        ("ECDSA", "brainpoolP384r1", "SHA384withECDSA", "ecdsa-with-SHA384"),
        ("ECDSA", "brainpoolP512r1", "SHA512withECDSA", "ecdsa-with-SHA512"),
        ("Ed25519", "", "Ed25519", "ED25519"),
        ("Ed448", "", "Ed448", "ED448"),
    ])
    func generatesInTheHSMAndSignsCSRsThatVerify(
        keyAlgorithm: String, keySpecification: String, signatureAlgorithm: String, opensslName: String
    ) async throws {
        // pkcs11-tool 0.23 stops listing a token at the first Ed448 key: that case has a token of its own.
        let (label, pin) = keyAlgorithm == "Ed448" ? ("unit-ed448", PKCS11Fixture.pinEd448) : ("unit-a", PKCS11Fixture.pinA)
        let token = try await PKCS11Fixture.token(label, pin: pin)
        defer { Task { await token.close() } }
        let alias = PKCS11Fixture.uniqueAlias("gen-\(keyAlgorithm)\(keySpecification)")
        let spec = try KeyGenerationSpec.parse(keyAlgorithm: keyAlgorithm, keySpecification: keySpecification)
        let entry = try await token.generateKey(alias: alias, spec: spec, template: .signServerDefault)
        let publicKey = try #require(entry.publicKey)
        #expect(entry.alias == alias && entry.id.count == 16)

        // The public key SignPeer read back is the one pkcs11-tool reads.
        let hsm = PKCS11Fixture.hsm
        #expect(try await hsm.publicKeyMatches(publicKey.der, token: label, id: entry.id))
        // The private key is a sensitive token object that never was extractable, for signing only.
        let objects = try await hsm.objectListing(
            token: label, pin: pin, type: "privkey", selecting: ["--id", PKCS11Fixture.hex(entry.id)])
        #expect(objects.contains("label:      \(alias)"), "\(objects)")
        #expect(objects.contains("Access:     sensitive, always sensitive, never extractable, local"), "\(objects)")
        #expect(objects.contains("Usage:      sign\n"), "\(objects)")

        // A CSR signed in the HSM verifies with openssl and carries the HSM's key.
        let algorithm = try #require(SignatureAlgorithm(name: signatureAlgorithm))
        let subject = DistinguishedName(rdns: [RelativeDistinguishedName([.init(type: "CN", value: alias)])])
        let request = try await token.certificationRequest(subject: subject, entry: entry, algorithm: algorithm)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try request.pem.write(toFile: directory.path("r.csr"), atomically: true, encoding: .utf8)
        let verify = try await ProcessRunner.run("openssl", ["req", "-in", directory.path("r.csr"), "-noout", "-verify", "-text"])
        #expect((verify.stdout + verify.stderr).contains("verify OK"), "\(verify.stderr)")
        #expect(verify.stdout.contains("Signature Algorithm: \(opensslName)"), "\(verify.stdout.prefix(500))")
        let csrKey = try await ProcessRunner.run(
            "openssl", ["req", "-in", directory.path("r.csr"), "-noout", "-pubkey"])
        let hsmKey = "-----BEGIN PUBLIC KEY-----\n"
            + Data(publicKey.der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            + "\n-----END PUBLIC KEY-----"
        #expect(csrKey.stdout.trimmingWhitespace() == hsmKey.trimmingWhitespace())

        // A plain signature verifies against the public key too.
        let message = Array("signed in the HSM".utf8)
        let signature = try await token.sign(message, with: entry, algorithm: algorithm)
        #expect(algorithm.verify(signature: signature, data: message, publicKeyInfoDER: publicKey.der))
        #expect(try await token.deleteKey(alias: alias))
    }

    @Test func aliasesAreUniqueAndDeletionRemovesEveryObjectOfTheKey() async throws {
        let token = try await PKCS11Fixture.token()
        defer { Task { await token.close() } }
        let alias = PKCS11Fixture.uniqueAlias("dup")
        let spec = KeyGenerationSpec(algorithm: .ec(curve: .secp256r1))
        let entry = try await token.generateKey(alias: alias, spec: spec, template: .signServerDefault)
        await #expect { try await token.generateKey(alias: alias, spec: spec, template: .signServerDefault) } throws: {
            ($0 as? SignPeerError)?.code == .invalidRequest
        }
        #expect(try await token.keys().filter { $0.alias == alias }.count == 1)
        #expect(try await token.deleteKey(alias: alias))
        #expect(try await !token.deleteKey(alias: alias))
        let left = try await PKCS11Fixture.hsm.pkcs11Tool(
            token: "unit-a", pin: PKCS11Fixture.pinA, ["--list-objects", "--id", PKCS11Fixture.hex(entry.id)])
        #expect(left.status == 0 && !left.stdout.contains(alias), "\(left.stdout) \(left.stderr)")
        #expect(try await token.key(alias: alias) == nil)
    }

    @Test func keysMadeByOtherToolsAreListedUnderTheirCertificateLabel() async throws {
        let token = try await PKCS11Fixture.token()
        defer { Task { await token.close() } }
        let hsm = PKCS11Fixture.hsm
        let id = "c0ffee" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
        let keyLabel = PKCS11Fixture.uniqueAlias("tool-key"), certificateLabel = PKCS11Fixture.uniqueAlias("tool-cert")
        let generated = try await hsm.pkcs11Tool(
            token: "unit-a", pin: PKCS11Fixture.pinA,
            ["--keypairgen", "--key-type", "EC:prime256v1", "--id", id, "--label", keyLabel, "--usage-sign", "--sensitive"])
        #expect(generated.status == 0, "\(generated.stderr)")
        // Any certificate will do for the alias join; make one with openssl and store it by CKA_ID.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj",
                           "/CN=tool", "-keyout", directory.path("k.pem"), "-outform", "DER", "-out", directory.path("c.der")])
        let written = try await hsm.pkcs11Tool(
            token: "unit-a", pin: PKCS11Fixture.pinA,
            ["--write-object", directory.path("c.der"), "--type", "cert", "--id", id, "--label", certificateLabel])
        #expect(written.status == 0, "\(written.stderr)")
        let listed = try await token.keys()
        let byKeyLabel = try #require(listed.first { $0.alias == keyLabel })
        let byCertificate = try #require(listed.first { $0.alias == certificateLabel })
        #expect(byKeyLabel.id == byCertificate.id && PKCS11Fixture.hex(byCertificate.id) == id)
        #expect(byCertificate.certificateDER != nil)
        #expect(try await token.key(alias: certificateLabel)?.id == byKeyLabel.id)
        #expect(try await token.deleteKey(alias: certificateLabel))
        #expect(try await token.key(alias: keyLabel) == nil)
    }

    @Test func modulesAreSharedAndCallsRunOnTheirOwnThreads() async throws {
        let first = try await PKCS11Fixture.module(), second = try await PKCS11Fixture.module()
        #expect(first === second)
        await second.release()
        // The same library through a symbolic link is the same module, not a second C_Initialize.
        let link = PKCS11Fixture.hsm.directory + "/module-link.so"
        try? FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: SoftHSM.modulePath)
        let linked = try await PKCS11Module.acquire(path: link)
        #expect(linked === first)
        await linked.release()
        let token = PKCS11Token(module: first, slot: .label("unit-a"), pin: PKCS11Fixture.pinA, callTimeout: .seconds(30))
        #expect(try await token.perform("test") { _ in PKCS11Executor.currentName } == "signpeer-pkcs11")
        await token.close()
        await first.release()
        await #expect { try await PKCS11Module.acquire(path: "/nonexistent/libpkcs11.so") } throws: {
            ($0 as? SignPeerError)?.code == .invalidProperty && ($0 as? SignPeerError)?.message.contains("does not exist") == true
        }
    }

    @Test func aCallThatDoesNotAnswerIsBoundedByItsTimeout() async throws {
        let executor = PKCS11Executor(name: "test-executor", maximumThreads: 1)
        let started = ContinuousClock.now
        await #expect { try await executor.run(timeout: .milliseconds(200)) { sleep(3) } } throws: {
            ($0 as? SignPeerError)?.code == .serviceUnavailable
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func workQueuedForACallerThatTimedOutNeverRuns() async throws {
        let executor = PKCS11Executor(name: "test-executor", maximumThreads: 1)
        let ran = Mutex(false)
        async let busy: Void = executor.run(timeout: .seconds(10)) { usleep(600_000) }
        try await Task.sleep(for: .milliseconds(100))
        // Queued behind the busy thread, and given up on before it gets one.
        await #expect { try await executor.run(timeout: .milliseconds(100)) { ran.withLock { $0 = true } } } throws: {
            ($0 as? SignPeerError)?.code == .serviceUnavailable
        }
        try await busy
        // A later call runs behind the dropped one, which by then would have run.
        #expect(try await executor.run(timeout: .seconds(10)) { ran.withLock { $0 } } == false)
    }

    @Test func concurrentSignersNeverShareASession() async throws {
        let token = try await PKCS11Fixture.token()
        defer { Task { await token.close() } }
        let alias = PKCS11Fixture.uniqueAlias("parallel")
        let entry = try await token.generateKey(
            alias: alias, spec: KeyGenerationSpec(algorithm: .ec(curve: .secp256r1)), template: .signServerDefault)
        let key = try #require(entry.publicKey)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var good = true
                    for round in 0..<25 {
                        let message = Array("worker \(worker) round \(round)".utf8)
                        let signature = try await token.sign(message, with: entry, algorithm: .sha256WithECDSA)
                        good = good && SignatureAlgorithm.sha256WithECDSA.verify(
                            signature: signature, data: message, publicKeyInfoDER: key.der)
                    }
                    return good
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == [true, true, true, true])
        #expect(try await token.deleteKey(alias: alias))
    }
}
