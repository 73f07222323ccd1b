import Foundation
import SignPeerCrypto
import SignPeerTestSupport

/// One key per `KEYALG`/`KEYSPEC` the tests cover, generated once per run through
/// ``KeyGenerator`` (RSA 4096 and up are left out for time).
struct TestKeys: Sendable {
    /// The `KEYALG`/`KEYSPEC` pairs with the algorithm and specification the key must report.
    static let specs: [(keyAlgorithm: String, keySpecification: String?, algorithm: String, specification: String?)] = [
        ("RSA", "1024", "RSA", "1024"),
        ("RSA", nil, "RSA", "2048"),
        ("ECDSA", "secp256r1", "EC", "secp256r1"),
        ("EC", "P-384", "EC", "secp384r1"),
        ("ecdsa", "secp521r1", "EC", "secp521r1"),
        ("EC", "brainpoolP256r1", "EC", "brainpoolP256r1"),
        ("EC", "brainpoolP384r1", "EC", "brainpoolP384r1"),
        ("EC", "brainpoolP512r1", "EC", "brainpoolP512r1"),
        ("Ed25519", nil, "Ed25519", nil),
        ("Ed448", "ignored", "Ed448", nil),
    ]

    /// Keys in the order of ``specs``.
    let keys: [PrivateKey]

    private static let shared = Task { try await TestKeys(keys: specs.asyncMap(generate)) }

    static func load() async throws -> TestKeys { try await shared.value }

    static func generate(
        _ spec: (keyAlgorithm: String, keySpecification: String?, algorithm: String, specification: String?)
    ) async throws -> PrivateKey {
        try await KeyGenerator.generate(
            KeyGenerationSpec.parse(keyAlgorithm: spec.keyAlgorithm, keySpecification: spec.keySpecification))
    }

    /// The first key that reports `algorithm` and `specification`.
    func key(_ algorithm: String, _ specification: String?) throws -> PrivateKey {
        guard let key = keys.first(where: { $0.algorithm == algorithm && $0.specification == specification }) else {
            throw TestFixtureError(description: "no test key \(algorithm)/\(specification ?? "-")")
        }
        return key
    }
}

struct TestFixtureError: Error, CustomStringConvertible {
    var description: String
}

extension Array where Element: Sendable {
    /// Maps concurrently, keeping the order.
    func asyncMap<T: Sendable>(_ transform: @escaping @Sendable (Element) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for (index, element) in enumerated() {
                group.addTask { (index, try await transform(element)) }
            }
            var results = [T?](repeating: nil, count: count)
            for try await (index, value) in group { results[index] = value }
            return results.map { $0! }
        }
    }
}

/// A two-level CA made with the `openssl` CLI (P-256 root and intermediate) that issues
/// certificates for SignPeer's requests, as an independent CA would: the issued certificate
/// carries the subject key identifier `openssl` computes (`subjectKeyIdentifier=hash`).
struct TestCA: Sendable {
    let root: Certificate
    let intermediate: Certificate
    private let intermediateKeyPEM: String

    private static let shared = Task { try await TestCA() }

    static func load() async throws -> TestCA { try await shared.value }

    private init() async throws {
        let directory = try TemporaryDirectory(prefix: "signpeer-test-ca")
        defer { directory.remove() }
        func run(_ arguments: [String]) async throws { try await openssl(arguments, in: directory.url) }
        try "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
            .write(toFile: directory.path("ca.ext"), atomically: true, encoding: .utf8)
        try await run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "root.key",
            "-out", "root.pem", "-subj", "/C=SE/O=Test/CN=Test Root CA", "-days", "30", "-config", "/dev/null",
            "-addext", "basicConstraints=critical,CA:TRUE",
        ])
        try await run([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            "intermediate.key", "-out", "intermediate.csr", "-subj", "/C=SE/O=Test/CN=Test Issuing CA",
            "-config", "/dev/null",
        ])
        try await run([
            "x509", "-req", "-in", "intermediate.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "1",
            "-days", "30", "-extfile", "ca.ext", "-out", "intermediate.pem",
        ])
        root = try Certificate(pemEncoded: String(contentsOfFile: directory.path("root.pem"), encoding: .utf8))
        intermediate = try Certificate(
            pemEncoded: String(contentsOfFile: directory.path("intermediate.pem"), encoding: .utf8))
        intermediateKeyPEM = try String(contentsOfFile: directory.path("intermediate.key"), encoding: .utf8)
    }

    /// Issues a certificate for `request`, signed by the intermediate.
    func issue(_ request: CertificationRequest) async throws -> Certificate {
        try await issue(requestPEM: request.pem)
    }

    func issue(requestPEM: String) async throws -> Certificate {
        let directory = try TemporaryDirectory(prefix: "signpeer-test-ca")
        defer { directory.remove() }
        try intermediate.pem.write(toFile: directory.path("ca.pem"), atomically: true, encoding: .utf8)
        try intermediateKeyPEM.write(toFile: directory.path("ca.key"), atomically: true, encoding: .utf8)
        try "subjectKeyIdentifier=hash\nbasicConstraints=critical,CA:FALSE\n"
            .write(toFile: directory.path("leaf.ext"), atomically: true, encoding: .utf8)
        let pem = try await openssl(
            [
                "x509", "-req", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "0x\(UUID().uuidString.prefix(8))",
                "-days", "30", "-extfile", "leaf.ext",
            ], input: requestPEM, in: directory.url)
        return try Certificate(pemEncoded: pem)
    }
}
