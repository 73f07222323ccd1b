import Foundation
import SignPeerTestSupport
import Testing

/// SPEC §5 row by row, through the real gateway with the demo peer certificate, with the
/// fingerprints and dates computed independently by `openssl`.
@Suite("Key-binding listing", .serialized)
struct KeyBindingListingTests {
    static let shared = SharedSystem(name: "listing")

    /// A system where the demo peer may connect.
    static func system() async throws -> SignPeerSystem {
        let system = try await shared.get()
        if try await system.sql("SELECT count(*) FROM role_rules WHERE role = 'PEER_SYSTEM'") == "0" {
            _ = try await system.cli(["setproperty", "global", "PEERS_INCOMING_ENABLED", "true"])
            _ = try await system.cli(["wspeersystems", "-add", "-cert", system.pki + "/peer.pem"])
        }
        return system
    }

    @Test func exactlyTheWorkersSPECFiveSaysAreListedWithItsFields() async throws {
        let system = try await Self.system()
        let certificate = system.pki + "/server.pem"
        let pem = try String(contentsOfFile: certificate, encoding: .utf8)
        let der = try await ProcessRunner.run("openssl", ["x509", "-in", certificate, "-outform", "DER"])
        let base64DER = try await ProcessRunner.run(
            "sh", ["-c", "openssl x509 -in '\(certificate)' -outform DER | base64 -w0"]).stdout
        #expect(!der.stdout.isEmpty)
        let chainPEM = pem + (try String(contentsOfFile: system.pki + "/ca.pem", encoding: .utf8))
        let file = """
            # every row of SPEC §5
            WORKERGENID1.NAME=VisibleInternal
            WORKERGENID1.CRYPTOTOKEN_IMPLEMENTATION_CLASS=org.signserver.server.cryptotokens.KeystoreInConfigCryptoToken
            WORKERGENID1.PEERS_VISIBLE=true
            WORKERGENID1.DEFAULTKEY=signKey00001
            WORKERGENID1.NEXTCERTSIGNKEY=signKey00002
            WORKERGENID2.NAME=Invisible
            WORKERGENID2.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken
            WORKERGENID3.NAME=NoToken
            WORKERGENID3.PEERS_VISIBLE=true
            WORKERGENID4.NAME=Holder
            WORKERGENID4.TYPE=CRYPTO_WORKER
            WORKERGENID4.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken
            WORKERGENID4.KEYSTOREPASSWORD=secret-pin-1234
            WORKERGENID4.PEERS_VISIBLE=true
            WORKERGENID5.NAME=Referencing
            WORKERGENID5.CRYPTOTOKEN=holder
            WORKERGENID5.PEERS_VISIBLE=TRUE
            WORKERGENID5.DISABLED=True
            WORKERGENID6.NAME=Timed
            WORKERGENID6.TYPE=TIMED_SERVICE
            WORKERGENID6.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken
            WORKERGENID6.PEERS_VISIBLE=true
            WORKERGENID7.NAME=Issued
            WORKERGENID7.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken
            WORKERGENID7.PEERS_VISIBLE=true
            WORKERGENID7.PEERS_ISSUED=true
            WORKERGENID7.SIGNERCERT=\(base64DER)
            WORKERGENID8.NAME=NotIssued
            WORKERGENID8.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken
            WORKERGENID8.PEERS_VISIBLE=true
            WORKERGENID8.PEERS_ISSUED=false
            WORKERGENID9.NAME=Dangling
            WORKERGENID9.CRYPTOTOKEN=NoSuchWorker
            WORKERGENID9.PEERS_VISIBLE=true
            WORKERGENID10.NAME=BlankVisible
            WORKERGENID10.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken
            WORKERGENID10.PEERS_VISIBLE=\("   ")
            """
        let path = system.directory + "/workers.properties"
        try file.write(toFile: path, atomically: true, encoding: .utf8)
        let created = try await system.cli(["setproperties", path])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("Created worker VisibleInternal with id "))
        let ids = try await workerIDs(system)
        // SIGNERCERTIFICATECHAIN as PEM and SIGNERCERTIFICATE for NotIssued through setproperty.
        let chainFile = system.directory + "/chain.pem"
        try chainPEM.write(toFile: chainFile, atomically: true, encoding: .utf8)
        for (worker, property, value) in [
            ("Issued", "SIGNERCERTIFICATECHAIN", chainPEM), ("NotIssued", "SIGNERCERTIFICATE", pem),
        ] {
            let set = try await system.cli(["setproperty", worker, property, "--", value])
            #expect(set.status == 0, "\(set.stderr)")
        }

        let response = try await system.curl("/peer/v1/keybindings", as: "peer")
        #expect(response.status == 200, "\(response.body)")
        let bindings = try #require(try response.json()["keyBindings"] as? [[String: Any]])
        #expect(bindings.map { $0["name"] as? String } == ["VisibleInternal", "Referencing", "Issued", "NotIssued"])
        #expect(bindings.map { $0["id"] as? Int } == ["VisibleInternal", "Referencing", "Issued", "NotIssued"].map { ids[$0] })

        let visible = bindings[0]
        #expect(visible["type"] as? String == "AuthenticationKeyBinding")
        #expect(visible["status"] as? String == "ACTIVE")
        #expect(visible["cryptoTokenId"] as? Int == ids["VisibleInternal"])
        #expect(visible["cryptoTokenName"] as? String == "VisibleInternal")
        // The token is offline (no activation yet): inactive, key details null; with neither key
        // known to exist, keyAlias falls back to DEFAULTKEY.
        #expect(visible["cryptoTokenActive"] as? Bool == false)
        #expect(visible["keyAlias"] as? String == "signKey00001")
        #expect(visible["nextKeyAlias"] as? String == "signKey00002")
        for field in ["keyAlgorithm", "keySpecification", "subjectKeyId", "certificateFingerprint",
                      "certificateFingerprintSha256", "certificateNotAfter"] {
            #expect(visible[field] is NSNull, "\(field) must be present and null")
        }

        let referencing = bindings[1]
        #expect(referencing["status"] as? String == "DISABLED")
        #expect(referencing["cryptoTokenId"] as? Int == ids["Holder"])
        #expect(referencing["cryptoTokenName"] as? String == "Holder")
        #expect(referencing["keyAlias"] is NSNull)

        let sha1 = try await fingerprint(certificate, "-sha1")
        let sha256 = try await fingerprint(certificate, "-sha256")
        let notAfter = try await rfc3339NotAfter(certificate)
        let issued = bindings[2]
        #expect(issued["certificateFingerprint"] as? String == sha1)
        #expect(issued["certificateFingerprintSha256"] as? String == sha256)
        #expect(issued["certificateNotAfter"] as? String == notAfter)
        #expect(issued["certificateChain"] == nil, "the list carries no chains")
        let notIssued = bindings[3]
        #expect(notIssued["certificateFingerprint"] is NSNull)
        #expect(notIssued["certificateFingerprintSha256"] is NSNull)
        #expect(notIssued["certificateNotAfter"] as? String == notAfter)

        // One binding: the chain comes along when PEERS_ISSUED is true.
        let one = try await system.curl("/peer/v1/keybindings/\(ids["Issued"]!)", as: "peer")
        #expect(one.status == 200)
        let chain = try #require(try one.json()["certificateChain"] as? String)
        #expect(chain.components(separatedBy: "-----BEGIN CERTIFICATE-----").count == 3)
        let notIssuedOne = try await system.curl("/peer/v1/keybindings/\(ids["NotIssued"]!)", as: "peer")
        #expect(try notIssuedOne.json()["certificateChain"] == nil)

        // Workers that are not listed cannot be reached by id; bad ids are bad requests.
        for name in ["Invisible", "NoToken", "Holder", "Timed", "Dangling", "BlankVisible"] {
            let hidden = try await system.curl("/peer/v1/keybindings/\(ids[name]!)", as: "peer")
            #expect(hidden.status == 404, "\(name)")
            #expect(hidden.body.contains("\"key_binding_not_found\""), "\(name)")
        }
        for bad in ["abc", "0", "-1", "1.5", "99999999999", "%20"] {
            let response = try await system.curl("/peer/v1/keybindings/\(bad)", as: "peer")
            #expect(response.status == 400, "\(bad): \(response.body)")
            #expect(response.body.contains("\"invalid_request\""), "\(bad)")
        }

        // Certificates are stored in one canonical form whatever form they came in; codes are masked.
        let config = try await system.cli(["getconfig", "Issued"])
        #expect(config.stdout.contains("SIGNERCERTIFICATE=-----BEGIN CERTIFICATE-----"), "\(config.stdout)")
        #expect(!config.stdout.contains("SIGNERCERT="))
        let holder = try await system.cli(["getconfig", "Holder"])
        #expect(holder.stdout.contains("KEYSTOREPASSWORD=_MASKED_"))
        #expect(!holder.stdout.contains("secret-pin-1234"))
        let status = try await system.cli(["getstatus", "brief", "all"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("VisibleInternal"))
    }

    func workerIDs(_ system: SignPeerSystem) async throws -> [String: Int] {
        let rows = try await system.sql("SELECT string_agg(name || '=' || id, ',') FROM workers")
        var ids: [String: Int] = [:]
        for pair in rows.split(separator: ",") {
            let parts = pair.split(separator: "=")
            ids[String(parts[0])] = Int(parts[1])
        }
        return ids
    }

    func fingerprint(_ certificate: String, _ digest: String) async throws -> String {
        let output = try await ProcessRunner.run("openssl", ["x509", "-in", certificate, "-noout", "-fingerprint", digest])
        return String(output.stdout.split(separator: "=").last ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "").lowercased()
    }

    func rfc3339NotAfter(_ certificate: String) async throws -> String {
        let output = try await ProcessRunner.run(
            "openssl", ["x509", "-in", certificate, "-noout", "-enddate", "-dateopt", "iso_8601"])
        // "notAfter=2029-03-04 05:06:07Z" -> "2029-03-04T05:06:07Z"
        return String(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("notAfter=".count))
            .replacingOccurrences(of: " ", with: "T")
    }
}
