import Foundation
import SignPeerTestSupport
import Testing

/// Runs blocking work (sockets, sleeps between trickled bytes) on a thread of its own, so the
/// 2-thread cooperative pool is never blocked.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A plain TCP connection to a loopback port, driven byte by byte as an attacker would.
final class RawConnection: @unchecked Sendable {
    // Safe: one test drives a connection from one thread at a time.
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw HarnessError("connect to \(port) failed: errno \(errno)")
        }
    }

    /// Sends `bytes`; false when the peer has closed (EPIPE/ECONNRESET).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads until the server closes or `timeout` passes; returns what was read and whether it
    /// closed.
    func readUntilClosed(timeout: Duration) -> (data: [UInt8], closed: Bool) {
        let deadline = ContinuousClock.now + timeout
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let remaining = deadline - ContinuousClock.now
            let milliseconds = max(1, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&poller, 1, milliseconds) > 0 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { return (data, true) }
            data += buffer[0..<count]
        }
        return (data, false)
    }

    /// Reads what arrives within `timeout` without waiting for a close.
    func read(for timeout: Duration) -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return data
    }

    /// Closes both directions now (the descriptor itself is closed on deinit).
    func shutdownNow() { shutdown(descriptor, Int32(SHUT_RDWR)) }

    deinit { close(descriptor) }
}

/// What the kernel and `/proc` say about one service process: its sockets on a port (`ss`),
/// its open descriptors and its resident memory.
struct ProcessProbe {
    let pid: Int32

    /// The process listening on `port`, found with `ss -ltnp` (an independent oracle).
    static func listening(on port: Int) async throws -> ProcessProbe {
        let result = try await ProcessRunner.run("ss", ["-ltnpH", "sport = :\(port)"])
        guard let range = result.stdout.range(of: #"pid=(\d+)"#, options: .regularExpression),
            let pid = Int32(result.stdout[range].dropFirst(4))
        else { throw HarnessError("nothing listens on \(port): \(result.stdout) \(result.stderr)") }
        return ProcessProbe(pid: pid)
    }

    /// TCP sockets of this process on `port` other than the listening one, by state.
    func connections(on port: Int) async throws -> [String] {
        let result = try await ProcessRunner.run("ss", ["-tanpH", "sport = :\(port)"])
        return result.stdout.split(separator: "\n")
            .filter { $0.contains("pid=\(pid),") && !$0.hasPrefix("LISTEN") }
            .map { String($0.split(separator: " ").first ?? "") }
    }

    var descriptorCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// VmRSS in KiB.
    var residentKiB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
}

extension SignPeerSystem {
    /// Starts the three services with `extra` in every environment and waits until ready.
    func start(extraEnvironment extra: [String: String]) async throws {
        for service in ServiceName.allCases { try start(service, extraEnvironment: extra) }
        try await waitUntilReady()
    }

    /// curl's options for a client identity of the demo PKI, as config-file lines.
    func curlConfigIdentity(_ identity: String) -> String {
        """
        cacert = "\(pki)/ca.pem"
        cert = "\(pki)/\(identity).pem"
        key = "\(pki)/\(identity).key"

        """
    }

    /// Runs one `curl --parallel` over `count` copies of `url` with the options in `options`
    /// (config-file syntax, applied to every request), and returns the status codes seen.
    func curlFlood(url: String, count: Int, parallel: Int, options: String) async throws -> [Int: Int] {
        let config = directory + "/flood-\(UUID().uuidString.prefix(6)).curlrc"
        var text = options + "write-out = \"%{http_code}\\n\"\n"
        for _ in 0..<count { text += "url = \"\(url)\"\noutput = \"/dev/null\"\n" }
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.run(
            "curl", ["-s", "--parallel", "--parallel-max", "\(parallel)", "--max-time", "30", "-K", config])
        var statuses: [Int: Int] = [:]
        for line in result.stdout.split(separator: "\n") { statuses[Int(line) ?? 0, default: 0] += 1 }
        return statuses
    }

    /// An extra client certificate from the demo CA (`name.pem`/`name.key` in the PKI folder).
    func issueClientCertificate(_ name: String, subject: String, extensions: String) async throws {
        let key = pki + "/\(name).key", csr = directory + "/\(name).csr", ext = directory + "/\(name).ext"
        try extensions.write(toFile: ext, atomically: true, encoding: .utf8)
        let request = try await ProcessRunner.run(
            "openssl",
            ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
             "-out", csr, "-subj", subject])
        guard request.status == 0 else { throw HarnessError("openssl req: \(request.stderr)") }
        let signed = try await ProcessRunner.run(
            "openssl",
            ["x509", "-req", "-in", csr, "-CA", pki + "/ca.pem", "-CAkey", pki + "/ca.key", "-set_serial",
             "0x\(UUID().uuidString.prefix(8))", "-days", "30", "-extfile", ext, "-out", pki + "/\(name).pem"])
        guard signed.status == 0 else { throw HarnessError("openssl x509: \(signed.stderr)") }
    }

    /// Runs `openssl s_client` against the TLS port as `identity`, writing `input` and returning
    /// everything it printed (the session is kept in `sessionOut`/read from `sessionIn`).
    func tlsExchange(
        as identity: String, input: String, extra: [String] = [], timeout: Int = 10, waitForClose: Bool = true,
        quiet: Bool = true
    ) async throws -> CommandResult {
        try await ProcessRunner.run(
            "timeout",
            ["\(timeout)", "openssl", "s_client", "-connect", "127.0.0.1:\(gatewayPort)", "-CAfile", pki + "/ca.pem",
             "-cert", pki + "/\(identity).pem", "-key", pki + "/\(identity).key"]
                + (quiet ? ["-quiet"] : []) + (waitForClose ? ["-ign_eof"] : ["-no_ign_eof"]) + extra,
            input: Data(input.utf8))
    }
}

/// The hostile-input suites run one after another (they flood the machine's two cores), each
/// with a system of its own.
@Suite("Hostile input", .serialized)
enum HostileTests {}
