import Foundation

/// A throw-away CA with a server certificate for 127.0.0.1 and a client certificate, plus an
/// unrelated CA, made with the `openssl` command line in a temporary directory.
struct TestPKI {
    let directory: String
    var caFile: String { directory + "/ca.pem" }
    var otherCAFile: String { directory + "/other-ca.pem" }
    var serverCertificateFile: String { directory + "/server.pem" }
    var serverKeyFile: String { directory + "/server.key" }
    var clientCertificateFile: String { directory + "/client.pem" }
    var clientKeyFile: String { directory + "/client.key" }

    static let clientCommonName = "signpeer-test-client"

    /// Runs `openssl` as child processes awaited without blocking a thread, so other tests
    /// running meanwhile are not stalled.
    init() async throws {
        directory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("signpeer-http-pki-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        try await makeCA("ca", commonName: "SignPeer Test CA")
        try await makeCA("other-ca", commonName: "Unrelated Test CA")
        try await makeLeaf(
            "server", commonName: "127.0.0.1",
            extensions: "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        try await makeLeaf(
            "client", commonName: Self.clientCommonName, extensions: "extendedKeyUsage=clientAuth\n"
        )
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func makeCA(_ name: String, commonName: String) async throws {
        try await openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "\(name).key", "-out", "\(name).pem", "-days", "2", "-subj",
            "/CN=\(commonName)",
        ])
    }

    private func makeLeaf(_ name: String, commonName: String, extensions: String) async throws {
        try Data(extensions.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name).ext"))
        try await openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(commonName)",
        ])
        try await openssl([
            "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial",
            "-days", "2", "-extfile", "\(name).ext", "-out", "\(name).pem",
        ])
    }

    private func openssl(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let status = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else {
            let message = String(
                decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw TestPKIError(description: "openssl \(arguments[0]) failed: \(message)")
        }
    }
}

struct TestPKIError: Error, CustomStringConvertible {
    var description: String
}
