import Foundation
import SignPeerTestSupport

/// Certificates generated once per test run with the `openssl` CLI, as PEM text:
///
/// ```
/// root (RSA 2048, self-signed CA) ─┬─ ecLeaf (P-256, serial 0x8000000000000001)
///                                  ├─ ed25519Leaf
///                                  ├─ multiValued (Ed448; multi-valued RDN, emailAddress,
///                                  │               serialNumber, UTF-8 CN)
///                                  └─ intermediate (P-384 CA) ── chainLeaf (Ed25519)
/// otherRoot (P-256, self-signed CA)
/// impostorRoot (P-256, self-signed, same subject as root)
/// ```
struct TestCertificates: Sendable {
    static let names = [
        "root", "ecLeaf", "ed25519Leaf", "multiValued", "intermediate", "chainLeaf", "otherRoot", "impostorRoot",
    ]

    /// PEM by name; `ecLeafPublicKeyBase64` is the EC leaf key as `openssl pkey -pubout` writes it.
    let pem: [String: String]
    let ecLeafPublicKeyBase64: String

    static let shared: Result<TestCertificates, any Error> = Result { try generate() }

    static func load() throws -> TestCertificates { try shared.get() }

    private static func generate() throws -> TestCertificates {
        let directory = try TemporaryDirectory(prefix: "signpeer-crypto-tests")
        defer { directory.remove() }
        @discardableResult
        func run(_ arguments: [String]) throws -> String { try openssl(arguments, in: directory.url) }
        try "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n"
            .write(toFile: directory.path("ca.ext"), atomically: true, encoding: .utf8)
        try "basicConstraints=critical,CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
            .write(toFile: directory.path("leaf.ext"), atomically: true, encoding: .utf8)

        func selfSigned(_ name: String, key: [String], subject: String) throws {
            try run(
                ["req", "-x509", "-newkey"] + key + [
                    "-nodes", "-keyout", "\(name).key", "-out", "\(name).pem", "-subj", subject, "-utf8",
                    "-days", "3650", "-config", "/dev/null", "-addext",
                    "basicConstraints=critical,CA:TRUE", "-addext", "subjectKeyIdentifier=hash",
                ])
        }
        func issued(_ name: String, key: [String], subject: String, by issuer: String, serial: String, ca: Bool) throws {
            try run(
                ["req", "-new", "-newkey"] + key + [
                    "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject, "-utf8",
                    "-config", "/dev/null",
                ])
            try run([
                "x509", "-req", "-in", "\(name).csr", "-CA", "\(issuer).pem", "-CAkey", "\(issuer).key",
                "-set_serial", serial, "-days", "30", "-extfile", ca ? "ca.ext" : "leaf.ext", "-out", "\(name).pem",
            ])
        }

        let ec256 = ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        try selfSigned("root", key: ["rsa:2048"], subject: "/C=SE/O=Demo/CN=Demo Root CA")
        try selfSigned("otherRoot", key: ec256, subject: "/C=SE/O=Other/CN=Other Root CA")
        try selfSigned("impostorRoot", key: ec256, subject: "/C=SE/O=Demo/CN=Demo Root CA")
        try issued(
            "ecLeaf", key: ec256, subject: "/C=SE/O=Demo/OU=Peers/CN=ec.example", by: "root",
            serial: "0x8000000000000001", ca: false)
        try issued("ed25519Leaf", key: ["ed25519"], subject: "/CN=ed25519.example", by: "root", serial: "2", ca: false)
        try issued(
            "multiValued", key: ["ed448"],
            subject: "/C=SE/O=Demo, Inc./CN=Multi Valued+UID=user1/emailAddress=peer@example.com/serialNumber=12345/CN=Åsa Öberg",
            by: "root", serial: "3", ca: false)
        try issued(
            "intermediate", key: ["ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
            subject: "/C=SE/O=Demo/CN=Demo Intermediate CA", by: "root", serial: "4", ca: true)
        try issued(
            "chainLeaf", key: ["ed25519"], subject: "/C=SE/O=Demo/CN=chain.example", by: "intermediate",
            serial: "0x0a", ca: false)

        var pem: [String: String] = [:]
        for name in names {
            pem[name] = try String(contentsOfFile: directory.path("\(name).pem"), encoding: .utf8)
        }
        let publicKey = try run(["pkey", "-in", "ecLeaf.key", "-pubout"])
        return TestCertificates(pem: pem, ecLeafPublicKeyBase64: base64Body(ofPEM: publicKey))
    }
}

/// The base64 text between the BEGIN and END lines of a single-block PEM.
func base64Body(ofPEM pem: String) -> String {
    pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
}
