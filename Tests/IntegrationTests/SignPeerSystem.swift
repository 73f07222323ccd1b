import Foundation
import SignPeerTestSupport

/// A whole SignPeer system for a test: a fresh database on the throwaway PostgreSQL cluster, a
/// demo PKI made by `deploy/local/pki.sh`, and the three real executables on free ports, each
/// logging to its own file. Tests talk to it as a CA would, with `curl` and `openssl`.
final class SignPeerSystem: @unchecked Sendable {
    // Safe: mutable state (`processes`) is only touched under `lock`.
    enum ServiceName: String, CaseIterable, Sendable {
        case renewal = "signpeer-renewal"
        case keybindings = "signpeer-keybindings"
        case gateway = "signpeer-gateway"
    }

    let directory: String
    let pki: String
    let gatewayPort = FreePort.next()
    let operationsPort = FreePort.next()
    let keyBindingsPort = FreePort.next()
    let renewalPort = FreePort.next()
    let databaseURL: String
    let internalToken: String
    private let lock = NSLock()
    private var processes: [ServiceName: Process] = [:]
    private var replicas: [Process] = []

    /// A system on `postgres` (default: the cluster shared by every test of the process; a test that
    /// stops PostgreSQL brings its own).
    init(name: String = "system", postgres: TemporaryPostgres? = nil) async throws {
        directory = NSTemporaryDirectory() + "signpeer-\(name)-\(UUID().uuidString.prefix(8))"
        pki = directory + "/pki"
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        let pkiRun = try await ProcessRunner.run(RepositoryPaths.root + "/deploy/local/pki.sh", [pki])
        guard pkiRun.status == 0 else { throw HarnessError("pki.sh failed: \(pkiRun.stderr)") }
        internalToken = (0..<4).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "") }.joined()
        try internalToken.write(toFile: directory + "/internal-token", atomically: true, encoding: .utf8)
        let databaseName = "signpeer_\(name)_\(UUID().uuidString.prefix(6).lowercased())"
        databaseURL = try await onOwnThread { try (postgres ?? TemporaryPostgres.shared).createDatabase(name: databaseName) }
    }

    /// The environment every service gets, as `.local/env` would give it.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SIGNPEER_") }
        environment.merge([
            "SIGNPEER_DATABASE_URL": databaseURL,
            "SIGNPEER_INTERNAL_TOKEN_FILE": directory + "/internal-token",
            "SIGNPEER_GATEWAY_PORT": "\(gatewayPort)",
            "SIGNPEER_GATEWAY_HOST": "127.0.0.1",
            "SIGNPEER_GATEWAY_OPS_PORT": "\(operationsPort)",
            "SIGNPEER_KEYBINDINGS_PORT": "\(keyBindingsPort)",
            "SIGNPEER_RENEWAL_PORT": "\(renewalPort)",
            "SIGNPEER_KEYBINDINGS_URL": "http://127.0.0.1:\(keyBindingsPort)",
            "SIGNPEER_RENEWAL_URL": "http://127.0.0.1:\(renewalPort)",
            "SIGNPEER_TLS_CERT": pki + "/server.pem",
            "SIGNPEER_TLS_KEY": pki + "/server.key",
            "SIGNPEER_TLS_CLIENT_CA": pki + "/ca.pem",
            "SIGNPEER_BOOTSTRAP_ADMIN_CERT": pki + "/admin.pem",
            "SIGNPEER_ROLE_CACHE_MS": "500",
        ]) { _, new in new }
        return environment
    }

    func logPath(_ service: ServiceName) -> String { directory + "/logs/\(service.rawValue).log" }

    func log(_ service: ServiceName) -> String {
        (try? String(contentsOfFile: logPath(service), encoding: .utf8)) ?? ""
    }

    /// Starts all three services and waits until the gateway reports ready.
    func start() async throws {
        for service in ServiceName.allCases { try start(service) }
        try await waitUntilReady()
    }

    func start(_ service: ServiceName, extraEnvironment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.binaries + "/" + service.rawValue)
        process.environment = environment.merging(extraEnvironment) { _, new in new }
        // A restarted service appends: the log keeps what the earlier run said, for failures.
        if !FileManager.default.fileExists(atPath: logPath(service)) {
            _ = FileManager.default.createFile(atPath: logPath(service), contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath(service)))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        ChildProcesses.register(process.processIdentifier)
        lock.withLock { processes[service] = process }
    }

    /// Starts another gateway process on the same database (a scaled-out replica) and returns its
    /// TLS port once it is ready.
    func startGatewayReplica() async throws -> Int {
        let port = FreePort.next(), operations = FreePort.next()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.binaries + "/signpeer-gateway")
        process.environment = environment.merging([
            "SIGNPEER_GATEWAY_PORT": "\(port)", "SIGNPEER_GATEWAY_OPS_PORT": "\(operations)",
        ]) { _, new in new }
        let log = directory + "/logs/signpeer-gateway-replica-\(port).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        ChildProcesses.register(process.processIdentifier)
        lock.withLock { replicas.append(process) }
        for _ in 0..<100 {
            let ready = try await ProcessRunner.run(
                "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(operations)/readyz"])
            if ready.stdout == "200" { return port }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HarnessError("gateway replica not ready")
    }

    /// Sends SIGTERM (or SIGKILL) and waits for the process to end.
    func stop(_ service: ServiceName, signal: Int32 = SIGTERM) {
        guard let process = lock.withLock({ processes.removeValue(forKey: service) }) else { return }
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        ChildProcesses.unregister(process.processIdentifier)
    }

    func terminationStatus(_ service: ServiceName) -> Int32? {
        lock.withLock { processes[service] }.flatMap { $0.isRunning ? nil : $0.terminationStatus }
    }

    func waitUntilReady(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await readyStatus() == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HarnessError(
            "system not ready in \(timeout); logs:\n" + ServiceName.allCases.map { log($0) }.joined(separator: "\n"))
    }

    /// The HTTP status of the gateway's `/readyz` (0 when nothing answers).
    func readyStatus(requestID: String? = nil) async throws -> Int {
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5"]
        if let requestID { arguments += ["-H", "X-Request-ID: \(requestID)"] }
        let result = try await ProcessRunner.run("curl", arguments + ["http://127.0.0.1:\(operationsPort)/readyz"])
        return Int(result.stdout) ?? 0
    }

    /// `curl` against the gateway's TLS port as the client `identity` (`admin`, `peer`, a path
    /// prefix of a PEM/key pair, or nil for no client certificate).
    func curl(_ path: String, as identity: String?, extra: [String] = [], port: Int? = nil) async throws -> CurlResult {
        var arguments = ["-s", "--max-time", "10", "--cacert", pki + "/ca.pem", "-w", "\n%{http_code}"]
        if let identity {
            let prefix = identity.hasPrefix("/") ? identity : pki + "/" + identity
            arguments += ["--cert", prefix + ".pem", "--key", prefix + ".key"]
        }
        let result = try await ProcessRunner.run(
            "curl", arguments + extra + ["https://127.0.0.1:\(port ?? gatewayPort)\(path)"])
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return CurlResult(exitCode: result.status, status: status, body: lines.joined(separator: "\n"), stderr: result.stderr)
    }

    /// Runs the `signpeer` CLI as the bootstrap admin (or `identity`), the way `.local/env` sets it up.
    func cli(_ arguments: [String], as identity: String = "admin", environment extra: [String: String] = [:])
        async throws -> CommandResult
    {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SIGNPEER_") }
        environment.merge([
            "SIGNPEER_URL": "https://127.0.0.1:\(gatewayPort)",
            "SIGNPEER_ADMIN_CERT": pki + "/\(identity).pem",
            "SIGNPEER_ADMIN_KEY": pki + "/\(identity).key",
            "SIGNPEER_CA_CERT": pki + "/ca.pem",
        ]) { _, new in new }
        environment.merge(extra) { _, new in new }
        return try await ProcessRunner.run(RepositoryPaths.binaries + "/signpeer", arguments, environment: environment)
    }

    /// One value from the database, for checking what a call changed (or did not).
    func sql(_ query: String) async throws -> String {
        let result = try await ProcessRunner.run("psql", [databaseURL, "-v", "ON_ERROR_STOP=1", "-tAc", query])
        guard result.status == 0 else { throw HarnessError("psql failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Serial number of a demo PKI certificate as `openssl` prints it (upper-case hex).
    func opensslSerial(_ identity: String) async throws -> String {
        let result = try await ProcessRunner.run("openssl", ["x509", "-in", pki + "/\(identity).pem", "-noout", "-serial"])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
    }

    func shutdown() {
        for replica in lock.withLock({ replicas }) {
            kill(replica.processIdentifier, SIGTERM)
            replica.waitUntilExit()
            ChildProcesses.unregister(replica.processIdentifier)
        }
        lock.withLock { replicas.removeAll() }
        for service in ServiceName.allCases.reversed() { stop(service) }
    }

    deinit { shutdown() }
}

struct CurlResult {
    var exitCode: Int32
    var status: Int
    var body: String
    var stderr: String

    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            throw HarnessError("not a JSON object: \(body)")
        }
        return object
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Every service process the tests started and have not stopped; killed when the test process
/// exits, so no service outlives `swift test` (shared systems are never stopped explicitly).
enum ChildProcesses {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pids: Set<Int32> = []  // guarded by `lock`
    nonisolated(unsafe) private static var installed = false  // guarded by `lock`

    static func register(_ pid: Int32) {
        lock.withLock {
            pids.insert(pid)
            if !installed {
                installed = true
                atexit { ChildProcesses.killAll() }
            }
        }
    }

    static func unregister(_ pid: Int32) {
        _ = lock.withLock { pids.remove(pid) }
    }

    static func killAll() {
        for pid in lock.withLock({ pids }) { kill(pid, SIGKILL) }
    }
}
