import Foundation
import SignPeerTestSupport
import Testing

/// What the renewal tests do as a CA: create and activate workers with the CLI, renew with
/// curl, issue certificates with `openssl x509 -req` from the demo CA, and install them.
extension SignPeerSystem {
    /// Lets the demo peer in (incoming connections on, Peer System rule for peer.pem).
    func admitDemoPeer() async throws {
        _ = try await cli(["setproperty", "global", "PEERS_INCOMING_ENABLED", "true"])
        _ = try await cli(["wspeersystems", "-add", "-cert", pki + "/peer.pem"])
    }

    /// Creates a visible worker with its own token (activated with `code`) and returns its id.
    func makeSigner(_ name: String, properties: [String: String] = [:], code: String = "foo123") async throws -> Int {
        var lines = [
            "WORKERGENID1.NAME=\(name)", "WORKERGENID1.TYPE=PROCESSABLE",
            "WORKERGENID1.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken",
            "WORKERGENID1.PEERS_VISIBLE=true", "WORKERGENID1.DEFAULTKEY=key00001",
        ]
        // A backslash in a value is written doubled, as in every Java properties file.
        lines += properties.sorted { $0.key < $1.key }.map {
            "WORKERGENID1.\($0.key)=\($0.value.replacingOccurrences(of: "\\", with: "\\\\"))"
        }
        let file = directory + "/\(name).properties"
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let created = try await cli(["setproperties", file])
        guard created.status == 0 else { throw HarnessError("setproperties: \(created.stderr)") }
        let activated = try await cli(["activatecryptotoken", name, code])
        guard activated.status == 0 else { throw HarnessError("activate: \(activated.stderr)") }
        return Int(try await sql("SELECT id FROM workers WHERE name = '\(name)'"))!
    }

    /// A renewal may take the gateway's whole internal timeout (30 s) when an RSA key is generated
    /// on a loaded machine (RSA-3072 took 15 s in a CI run): curl waits longer than the gateway.
    func renew(_ id: Int, renewKeys: Bool = true) async throws -> CurlResult {
        try await curl(
            "/peer/v1/keybindings/\(id)/renewal", as: "peer",
            extra: ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "{\"renewKeys\":\(renewKeys)}",
                    "--max-time", "45"])
    }

    /// Issues a certificate for the CSR PEM from the demo CA; returns the leaf PEM path.
    func issue(csr: String, name: String, days: Int = 30, extensions: String? = nil) async throws -> String {
        let csrPath = directory + "/\(name).csr", certificate = directory + "/\(name).pem"
        let extPath = directory + "/\(name).ext"
        try csr.write(toFile: csrPath, atomically: true, encoding: .utf8)
        try (extensions ?? "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n")
            .write(toFile: extPath, atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.run(
            "openssl",
            [
                "x509", "-req", "-in", csrPath, "-CA", pki + "/ca.pem", "-CAkey", pki + "/ca.key", "-set_serial",
                "0x\(UUID().uuidString.prefix(8))", "-days", String(days), "-extfile", extPath, "-out", certificate,
            ])
        guard result.status == 0 else { throw HarnessError("openssl x509 -req: \(result.stderr)") }
        return certificate
    }

    func install(_ id: Int, pemFile: String) async throws -> CurlResult {
        try await curl(
            "/peer/v1/keybindings/\(id)/certificate", as: "peer",
            extra: ["-X", "PUT", "-H", "Content-Type: application/pem-certificate-chain", "--data-binary", "@" + pemFile])
    }

    func install(_ id: Int, derFile: String) async throws -> CurlResult {
        try await curl(
            "/peer/v1/keybindings/\(id)/certificate", as: "peer",
            extra: ["-X", "PUT", "-H", "Content-Type: application/pkix-cert", "--data-binary", "@" + derFile])
    }

    /// The leaf plus the demo CA, as a PEM chain file.
    func chainFile(leaf: String) throws -> String {
        let path = leaf + ".chain"
        try (String(contentsOfFile: leaf, encoding: .utf8) + String(contentsOfFile: pki + "/ca.pem", encoding: .utf8))
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Everything renewal may change for a worker: its properties and its token's keys (rows of
    /// a `KeystoreInConfigCryptoToken`, or a PKCS#12 blob of the earlier storage).
    func renewalSnapshot(_ id: Int) async throws -> String {
        try await sql(
            """
            SELECT coalesce((SELECT string_agg(name || '=' || md5(value), ';' ORDER BY name) FROM worker_properties
                             WHERE worker_id = \(id)), '') || '|' ||
                   coalesce((SELECT md5(pkcs12) FROM key_stores WHERE worker_id = \(id)), 'none') || '|' ||
                   coalesce((SELECT md5(string_agg(alias || ':' || md5(sealed_private_key), ',' ORDER BY alias))
                             FROM token_keys WHERE worker_id = \(id)), 'none')
            """)
    }

    func binding(_ id: Int) async throws -> [String: Any] {
        try await curl("/peer/v1/keybindings/\(id)", as: "peer").json()
    }
}

extension CurlResult {
    var errorCode: String? {
        ((try? json())?["error"] as? [String: Any])?["code"] as? String
    }
}
