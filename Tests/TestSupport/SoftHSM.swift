import Foundation

/// A private SoftHSM2 for a test: its own configuration and token directory in a temporary
/// folder (never the system's `/var/lib/softhsm`), tokens made with `softhsm2-util`, and
/// `pkcs11-tool` (OpenSC) as the independent client that checks what SignPeer did.
public struct SoftHSM: Sendable {
    public let directory: String
    public var configuration: String { directory + "/softhsm2.conf" }
    public var tokens: String { directory + "/tokens" }

    /// The SoftHSM2 module as Debian installs it.
    public static let modulePath: String = {
        ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
         "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"]
            .first { FileManager.default.fileExists(atPath: $0) } ?? "/usr/lib/softhsm/libsofthsm2.so"
    }()

    public init(prefix: String = "signpeer-softhsm") throws {
        directory = Self.baseDirectory + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/tokens", withIntermediateDirectories: true)
        TemporaryDirectories.removeAtExit(directory)
        try """
            directories.tokendir = \(directory)/tokens
            objectstore.backend = file
            log.level = ERROR
            slots.removable = false
            slots.mechanisms = ALL
            library.reset_on_fork = false

            """.write(toFile: configuration, atomically: true, encoding: .utf8)
    }

    /// Where token directories go: tmpfs (`/dev/shm`) when there is one. SoftHSM rewrites an
    /// object file in place (ftruncate, write, close) for every change, and on the disk of a
    /// parallel test run those calls waited up to 0.5 s each (strace): a P-521 key generation
    /// that takes 20 ms took 2.7 to 8 s inside C_GenerateKeyPair and hit the call timeout.
    static let baseDirectory: String = {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory), isDirectory.boolValue,
            access("/dev/shm", W_OK) == 0
        {
            return "/dev/shm/"
        }
        return NSTemporaryDirectory()
    }()

    /// The environment with `SOFTHSM2_CONF` pointing at this SoftHSM.
    public var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SOFTHSM2_CONF"] = configuration
        return environment
    }

    /// Creates a token in the next free slot.
    public func initToken(label: String, pin: String, soPin: String = "so-pin-5678") throws {
        let result = try ProcessRunner.run(
            "softhsm2-util", ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", soPin],
            environment: environment)
        guard result.status == 0 else {
            throw SoftHSMError("softhsm2-util --init-token: \(result.stdout) \(result.stderr)")
        }
    }

    /// Runs `pkcs11-tool --module <SoftHSM> --token-label <label> [--login --pin <pin>] arguments…`.
    public func pkcs11Tool(token label: String, pin: String? = nil, _ arguments: [String]) async throws -> CommandResult {
        var all = ["--module", Self.modulePath, "--token-label", label]
        if let pin { all += ["--login", "--pin", pin] }
        return try await ProcessRunner.run("pkcs11-tool", all + arguments, environment: environment)
    }

    /// Whether `der` (a DER SubjectPublicKeyInfo) is the public key object with CKA_ID `id`, as
    /// pkcs11-tool reads it from the HSM.
    /// Runs a read-only check again (up to 5 times, 300 ms apart) while it throws: SoftHSM's file
    /// store is not consistent for a reader process while another process (the service) writes
    /// token files, e.g. the login counters at every C_Login.
    static func retrying<T>(_ body: () async throws -> T) async throws -> T {
        for _ in 0..<4 {
            if let result = try? await body() { return result }
            try await Task.sleep(for: .milliseconds(300))
        }
        return try await body()
    }

    public func publicKeyMatches(_ der: [UInt8], token label: String, id: [UInt8]) async throws -> Bool {
        try await publicKeyMatches(der, token: label, selecting: ["--id", id.map { String(format: "%02x", $0) }.joined()])
    }

    /// The same for the public key object labelled `alias`.
    public func publicKeyMatches(_ der: [UInt8], token label: String, alias: String) async throws -> Bool {
        try await publicKeyMatches(der, token: label, selecting: ["--label", alias])
    }

    /// pkcs11-tool 0.23 exports RSA, P-256, P-521, brainpool and Ed25519 keys (DER, or PEM for
    /// EdDSA; openssl normalizes both), but fails on P-384 and Ed448 ("cannot create EVP_PKEY",
    /// "expected NID_ED25519"): for those the EC point it lists is compared with the point openssl
    /// reads from `der`.
    private func publicKeyMatches(_ der: [UInt8], token label: String, selecting: [String]) async throws -> Bool {
        try await Self.retrying { try await publicKeyMatchesOnce(der, token: label, selecting: selecting) }
    }

    private func publicKeyMatchesOnce(_ der: [UInt8], token label: String, selecting: [String]) async throws -> Bool {
        let file = directory + "/pub-\(UUID().uuidString.prefix(6))"
        try Data(der).write(to: URL(fileURLWithPath: file + ".ours"))
        let read = try await pkcs11Tool(token: label, ["--read-object", "--type", "pubkey"] + selecting + ["--output-file", file])
        if read.status == 0, let data = FileManager.default.contents(atPath: file) {
            let form = data.starts(with: Array("-----BEGIN".utf8)) ? "PEM" : "DER"
            let converted = try await ProcessRunner.run(
                "openssl", ["pkey", "-pubin", "-inform", form, "-in", file, "-outform", "DER", "-out", file + ".der"])
            guard converted.status == 0, let theirs = FileManager.default.contents(atPath: file + ".der") else {
                throw SoftHSMError("openssl pkey -pubin: \(converted.stderr)")
            }
            return Array(theirs) == der
        }
        let block = try await objectListingOnce(token: label, pin: nil, type: "pubkey", selecting: selecting)
        guard let line = block.split(separator: "\n").first(where: { $0.contains("EC_POINT:") }),
            let hex = line.split(separator: " ").last
        else { throw SoftHSMError("pkcs11-tool lists no EC_POINT: \(read.stderr) \(block)") }
        // The listed EC_POINT is a DER OCTET STRING: skip its tag and length.
        var bytes = stride(from: 0, to: hex.count, by: 2).map { offset -> UInt8 in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
        let header = bytes[1] & 0x80 != 0 ? 2 + Int(bytes[1] & 0x7F) : 2
        bytes.removeFirst(header)
        let text = try await ProcessRunner.run("openssl", ["pkey", "-pubin", "-inform", "DER", "-in", file + ".ours", "-noout", "-text"])
        let lines = text.stdout.split(separator: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("pub:") }) else { throw SoftHSMError("openssl: \(text.stderr)") }
        let ours = lines[(start + 1)...].prefix { $0.hasPrefix(" ") }.joined().filter { $0.isHexDigit }.lowercased()
        return ours == bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// The lines pkcs11-tool `--list-objects` prints for the one object of `type` (`privkey`,
    /// `pubkey`, `cert`) selected by `--label <alias>` or `--id <hex>` (pkcs11-tool lists every
    /// object of the type; the block is picked here).
    public func objectListing(token label: String, pin: String? = nil, type: String, selecting: [String]) async throws -> String {
        try await Self.retrying { try await objectListingOnce(token: label, pin: pin, type: type, selecting: selecting) }
    }

    private func objectListingOnce(token label: String, pin: String?, type: String, selecting: [String]) async throws -> String {
        let listed = try await pkcs11Tool(token: label, pin: pin, ["--list-objects", "--type", type])
        guard listed.status == 0 else { throw SoftHSMError("pkcs11-tool --list-objects: \(listed.stderr)") }
        let wanted = selecting.first == "--id" ? "  ID:         \(selecting[1])" : "  label:      \(selecting[1])"
        var blocks: [[Substring]] = []
        for line in listed.stdout.split(separator: "\n") {
            if !line.hasPrefix(" ") { blocks.append([line]) } else if !blocks.isEmpty { blocks[blocks.count - 1].append(line) }
        }
        let matching = blocks.filter { $0.contains { $0 == wanted } }
        guard matching.count == 1 else {
            throw SoftHSMError("pkcs11-tool lists \(matching.count) \(type) objects with \(wanted): \(listed.stdout)")
        }
        return matching[0].joined(separator: "\n") + "\n"
    }

    /// The labels of every object of `type` pkcs11-tool lists (retried while it fails or lists nothing).
    public func labels(token label: String, pin: String? = nil, type: String) async throws -> [String] {
        try await Self.retrying {
            let listed = try await pkcs11Tool(token: label, pin: pin, ["--list-objects", "--type", type])
            let labels = listed.stdout.split(separator: "\n").filter { $0.hasPrefix("  label:      ") }
                .map { String($0.dropFirst("  label:      ".count)) }
            guard listed.status == 0, !labels.isEmpty else { throw SoftHSMError("pkcs11-tool --list-objects: \(listed.stderr)") }
            return labels
        }
    }

    public func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

public struct SoftHSMError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Directories removed when the test process exits (token directories on tmpfs use memory).
enum TemporaryDirectories {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: [String] = []  // guarded by `lock`

    static func removeAtExit(_ path: String) {
        lock.withLock {
            if paths.isEmpty { atexit { TemporaryDirectories.removeAll() } }
            paths.append(path)
        }
    }

    private static func removeAll() {
        for path in lock.withLock({ paths }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
