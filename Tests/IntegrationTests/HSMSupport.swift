import Foundation
import SignPeerTestSupport

/// A SignPeer system whose renewal service uses a private SoftHSM2 (SPEC §6.1), with helpers to
/// create PKCS11CryptoToken workers the way an operator would, with SignServer's property names.
final class HSMSystem: Sendable {
    static let tokenLabel = "SignPeerTest"
    /// pkcs11-tool 0.23 stops listing a token at its first Ed448 key, so Ed448 keys get a token of their
    /// own (labelled so that neither label is a prefix of the other: pkcs11-tool matches by prefix).
    static let ed448TokenLabel = "Ed448Only"
    static let pin = "hsm-user-4321"
    let system: SignPeerSystem
    let hsm: SoftHSM

    private init(system: SignPeerSystem, hsm: SoftHSM) {
        self.system = system
        self.hsm = hsm
    }

    /// Starts a system with `SOFTHSM2_CONF` and `SIGNPEER_PKCS11_LIBRARIES` for the renewal service.
    static func start(name: String, callTimeout: Int = 15, tokens: [String] = [tokenLabel, ed448TokenLabel]) async throws
        -> HSMSystem
    {
        let hsm = try SoftHSM(prefix: "signpeer-\(name)-hsm")
        for label in tokens { try hsm.initToken(label: label, pin: pin) }
        let system = try await SignPeerSystem(name: name)
        let environment = [
            "SOFTHSM2_CONF": hsm.configuration, "SIGNPEER_PKCS11_LIBRARIES": "SoftHSM=\(SoftHSM.modulePath);Other=/opt/none.so",
            "SIGNPEER_PKCS11_CALL_TIMEOUT": String(callTimeout),
        ]
        for service in SignPeerSystem.ServiceName.allCases { try system.start(service, extraEnvironment: environment) }
        try await system.waitUntilReady()
        try await system.admitDemoPeer()
        return HSMSystem(system: system, hsm: hsm)
    }

    /// The property lines of an HSM token worker (SignServer's names).
    static func tokenProperties(_ prefix: String, token: String = tokenLabel, library: String? = nil) -> [String] {
        [
            "\(prefix).CRYPTOTOKEN_IMPLEMENTATION_CLASS=org.signserver.server.cryptotokens.PKCS11CryptoToken",
            library.map { "\(prefix).SHAREDLIBRARY=\($0)" } ?? "\(prefix).SHAREDLIBRARYNAME=SoftHSM",
            "\(prefix).SLOTLABELTYPE=SLOT_LABEL", "\(prefix).SLOTLABELVALUE=\(token)",
        ]
    }

    /// Creates a visible signer with its own HSM token and activates it with the PIN; returns its id.
    func makeSigner(
        _ name: String, properties: [String: String] = [:], token: String = tokenLabel, library: String? = nil,
        activate: Bool = true
    ) async throws -> Int {
        var lines = ["WORKERGENID1.NAME=\(name)", "WORKERGENID1.TYPE=PROCESSABLE", "WORKERGENID1.PEERS_VISIBLE=true",
                     "WORKERGENID1.DEFAULTKEY=\(name)001"]
        lines += Self.tokenProperties("WORKERGENID1", token: token, library: library)
        lines += properties.sorted { $0.key < $1.key }.map { "WORKERGENID1.\($0.key)=\($0.value)" }
        try await apply(lines, file: name)
        if activate {
            let activated = try await system.cli(["activatecryptotoken", name, Self.pin])
            guard activated.status == 0 else { throw HarnessError("activate \(name): \(activated.stderr)") }
        }
        return try await id(of: name)
    }

    func apply(_ lines: [String], file: String) async throws {
        let path = system.directory + "/\(file).properties"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let created = try await system.cli(["setproperties", path])
        guard created.status == 0 else { throw HarnessError("setproperties: \(created.stderr)") }
    }

    func id(of name: String) async throws -> Int {
        Int(try await system.sql("SELECT id FROM workers WHERE name = '\(name)'"))!
    }

    /// The private key object labelled `alias`, as `pkcs11-tool --list-objects` prints it.
    func privateKeyListing(_ alias: String, token: String = tokenLabel) async throws -> String {
        try await hsm.objectListing(token: token, pin: Self.pin, type: "privkey", selecting: ["--label", alias])
    }

    /// The public key in a CSR or certificate PEM file, as DER (openssl).
    func publicKeyDER(ofRequest path: String) async throws -> [UInt8] {
        let out = path + ".pub.der"
        let pem = try await ProcessRunner.run("openssl", ["req", "-in", path, "-noout", "-pubkey"])
        let converted = try await ProcessRunner.run(
            "openssl", ["pkey", "-pubin", "-outform", "DER", "-out", out], input: Data(pem.stdout.utf8))
        guard converted.status == 0, let data = FileManager.default.contents(atPath: out) else {
            throw HarnessError("openssl pkey: \(converted.stderr)")
        }
        return Array(data)
    }

    /// Polls the binding until `cryptoTokenActive` is `expected` or `timeout` passes; answers the last value.
    func waitForActive(_ id: Int, _ expected: Bool, timeout: Duration) async throws -> Bool? {
        let deadline = ContinuousClock.now + timeout
        var last: Bool?
        repeat {
            last = try await system.binding(id)["cryptoTokenActive"] as? Bool
            if last == expected { return last }
            try await Task.sleep(for: .milliseconds(300))
        } while ContinuousClock.now < deadline
        return last
    }
}
