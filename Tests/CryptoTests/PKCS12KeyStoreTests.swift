import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerTestSupport
import Testing

@Suite struct PKCS12KeyStoreTests {
    static let password = "foo123 ÅÄÖ"

    /// Four aliases: RSA with a full chain, EC without a certificate, Ed25519 with only its
    /// leaf, Ed448 without a certificate.
    private func sampleStore() async throws -> PKCS12KeyStore {
        let keys = try await TestKeys.load()
        let ca = try await TestCA.load()
        func leaf(_ key: PrivateKey, _ cn: String, _ algorithm: SignatureAlgorithm) async throws -> Certificate {
            try await ca.issue(
                CertificationRequest.make(subject: DistinguishedName(parsing: "CN=\(cn)"), key: key, algorithm: algorithm))
        }
        let rsa = try keys.key("RSA", "2048")
        let ed25519 = try keys.key("Ed25519", nil)
        return PKCS12KeyStore(entries: [
            "signKey00001": .init(
                key: rsa,
                certificateChain: [try await leaf(rsa, "signKey00001", .sha256WithRSA), ca.intermediate, ca.root]),
            "signKey00002": .init(key: try keys.key("EC", "secp384r1")),
            "ed 25519 ✓": .init(key: ed25519, certificateChain: [try await leaf(ed25519, "ed", .ed25519)]),
            "ed448": .init(key: try keys.key("Ed448", nil)),
        ])
    }

    @Test func roundTripsAliasesKeysAndChains() async throws {
        let store = try await sampleStore()
        let der = try store.encode(password: Self.password)
        let decoded = try PKCS12KeyStore.decode(der, password: Self.password)
        #expect(Set(decoded.entries.keys) == Set(store.entries.keys))
        for (alias, entry) in store.entries {
            let copy = try #require(decoded.entries[alias])
            #expect(copy.key.publicKeyInfoDER == entry.key.publicKeyInfoDER)
            #expect((copy.key.algorithm, copy.key.specification) == (entry.key.algorithm, entry.key.specification))
            #expect(copy.certificateChain == entry.certificateChain, "chain of \(alias)")
            // The decoded private key is the same key: it signs what the original verifies.
            let algorithm = try SignatureAlgorithm.forKey(configured: nil, requestSignatureAlgorithm: nil, key: copy.key)
            let signature = try copy.key.sign([1, 2, 3], algorithm: algorithm)
            #expect(algorithm.verify(signature: signature, data: [1, 2, 3], publicKeyInfoDER: entry.key.publicKeyInfoDER))
        }
        // Re-encoding what was decoded keeps everything again.
        let again = try PKCS12KeyStore.decode(decoded.encode(password: "other"), password: "other")
        #expect(again.entries.mapValues(\.certificateChain) == store.entries.mapValues(\.certificateChain))
    }

    @Test func emptyStoreRoundTrips() async throws {
        let der = try PKCS12KeyStore().encode(password: Self.password)
        #expect(try PKCS12KeyStore.decode(der, password: Self.password).entries.isEmpty)
        let info = try await opensslInfo(der, password: Self.password)
        #expect(info.status == 0, "\(info.stderr)")
    }

    @Test func wrongPasswordIsRefused() async throws {
        let der = try await sampleStore().encode(password: Self.password)
        let refused = SignPeerError.authenticationFailed("Wrong authentication code for the key store.")
        #expect(throws: refused) { try PKCS12KeyStore.decode(der, password: "foo124") }
        #expect(throws: refused) { try PKCS12KeyStore.decode(der, password: "") }
    }

    @Test func corruptDataIsRefusedWithoutDetails() async throws {
        let key = try await TestKeys.load().key("Ed25519", nil)
        let der = try PKCS12KeyStore(entries: ["k": .init(key: key)]).encode(password: Self.password)
        let corrupt = SignPeerError(.invalidRequest, "The key store is not a valid PKCS#12 key store.")
        for bytes in [[], [0x30, 0x03, 0x02, 0x01, 0x03], der + [0], Array(der.prefix(der.count / 2)), Array("not pkcs12".utf8)] {
            #expect(throws: corrupt) { try PKCS12KeyStore.decode(bytes, password: Self.password) }
        }
    }

    /// `openssl pkcs12 -info` reads the store: every alias, every key, and the algorithms.
    @Test func opensslReadsTheStore() async throws {
        let store = try await sampleStore()
        let info = try await opensslInfo(store.encode(password: Self.password), password: Self.password)
        #expect(info.status == 0, "\(info.stderr)")
        let names = info.stdout.split(separator: "\n").filter { $0.contains("friendlyName: ") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        // openssl prints only the low byte of each BMPString character, so check the ASCII aliases.
        for alias in store.entries.keys where alias.allSatisfy(\.isASCII) {
            #expect(names.contains("friendlyName: \(alias)"), "\(alias) not in \(names)")
        }
        #expect(info.stdout.components(separatedBy: "-----BEGIN PRIVATE KEY-----").count - 1 == 4)
        #expect(info.stdout.components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1 == 4)
        #expect(info.stderr.contains("MAC: sha256, Iteration 10000"))
        #expect(info.stderr.contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256"))
        #expect(info.stderr.contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256"))
    }

    /// A store made by `openssl pkcs12 -export` opens, with its CA certificates put in chain
    /// order by issuer; without `-name`, the key is named by its position.
    @Test(arguments: [["-name", "exported key"], []])
    func decodesAnOpenSSLExport(_ nameOptions: [String]) async throws {
        let ca = try await TestCA.load()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func run(_ arguments: [String]) async throws -> String { try await openssl(arguments, in: directory.url) }
        _ = try await run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "key.pem"])
        let request = try await run(["req", "-new", "-key", "key.pem", "-subj", "/CN=exported", "-config", "/dev/null"])
        let leaf = try await ca.issue(requestPEM: request)
        try leaf.pem.write(toFile: directory.path("leaf.pem"), atomically: true, encoding: .utf8)
        // The CA certificates in the wrong order: the decoder orders them by issuer.
        try (ca.root.pem + ca.intermediate.pem).write(toFile: directory.path("cas.pem"), atomically: true, encoding: .utf8)
        _ = try await run(
            ["pkcs12", "-export", "-inkey", "key.pem", "-in", "leaf.pem", "-certfile", "cas.pem", "-out", "store.p12",
             "-passout", "pass:\(Self.password)"] + nameOptions)
        let der = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.path("store.p12"))))

        let store = try PKCS12KeyStore.decode(der, password: Self.password)
        let alias = nameOptions.last ?? "1"
        #expect(Array(store.entries.keys) == [alias])
        let entry = try #require(store.entries[alias])
        #expect(entry.certificateChain == [leaf, ca.intermediate, ca.root])
        #expect(leaf.hasSamePublicKey(as: entry.key.publicKeyInfoDER))
        #expect(entry.key.algorithm == "EC" && entry.key.specification == "secp256r1")
        #expect(throws: SignPeerError.self) { try PKCS12KeyStore.decode(der, password: "wrong") }
    }

    private func opensslInfo(_ der: [UInt8], password: String) async throws -> CommandResult {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data(der).write(to: URL(fileURLWithPath: directory.path("store.p12")))
        return try await ProcessRunner.run(
            "openssl", ["pkcs12", "-info", "-in", "store.p12", "-passin", "pass:\(password)", "-nodes"],
            currentDirectory: directory.url.path)
    }
}
