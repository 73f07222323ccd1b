import Foundation
import SignPeerTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `openssl s_server -www` on 127.0.0.1 requiring a client certificate from the test CA: an
/// independent TLS peer. Its status page names the client certificate it verified.
final class OpenSSLTestServer {
    let port: Int
    private let process = Process()

    var baseURL: String { "https://127.0.0.1:\(port)" }

    init(pki: TestPKI) async throws {
        port = FreePort.next()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-www",
            "-cert", pki.serverCertificateFile, "-key", pki.serverKeyFile,
            "-CAfile", pki.caFile, "-Verify", "1",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            try await waitUntilListening()
        } catch {
            stop()
            throw error
        }
    }

    /// Kills the process and reaps it, so no child outlives the test. SIGKILL because a child
    /// started from a Swift concurrency thread inherits its signal mask, which blocks SIGTERM.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private func waitUntilListening() async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { break }
            if canConnect() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestPKIError(description: "openssl s_server did not listen on port \(port)")
    }

    private func canConnect() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
