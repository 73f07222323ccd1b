import Foundation
import SignPeerCore
@testable import SignPeerCLI
import Testing

@Suite struct TokenArgumentsTests {
    // MARK: Paths

    @Test func tokenPaths() throws {
        #expect(try AdminPaths.tokenActivate("Signer1") == "/admin/v1/workers/Signer1/token/activate")
        #expect(try AdminPaths.tokenDeactivate("2") == "/admin/v1/workers/2/token/deactivate")
        #expect(try AdminPaths.tokenKeys("Signer1") == "/admin/v1/workers/Signer1/token/keys")
        #expect(try AdminPaths.tokenKey("Signer1", alias: "key-2.b_c") == "/admin/v1/workers/Signer1/token/keys/key-2.b_c")
        #expect(
            try AdminPaths.keyTest("Signer1", alias: AdminPaths.defaultKeyAlias)
                == "/admin/v1/workers/Signer1/token/keys/_default/test")
        #expect(try AdminPaths.certificateRequest("Signer1") == "/admin/v1/workers/Signer1/csr")
        #expect(try AdminPaths.signerCertificate("Signer1") == "/admin/v1/workers/Signer1/certificate")
        #expect(try AdminPaths.signerCertificateChain("Signer1") == "/admin/v1/workers/Signer1/certificatechain")
    }

    @Test(arguments: ["", ".", "..", "a/b", "a b", "a%2F", "k?x", "cl\u{E9}"])
    func rejectsUnsafeAliases(_ alias: String) {
        #expect(throws: CLIError("invalid key alias '\(alias)': use letters, digits, '_', '.' and '-'")) {
            try AdminPaths.tokenKey("Signer1", alias: alias)
        }
    }

    // MARK: activatecryptotoken

    @Test func activation() throws {
        #expect(try ActivationArguments.parse(["Signer1", "foo123"]) == .init(worker: "Signer1", code: "foo123"))
        #expect(try ActivationArguments.parse(["Signer1", "-pin"]) == .init(worker: "Signer1", code: "-pin"))
        #expect(try ActivationArguments.parse(["Signer1", "--", "--pin"]) == .init(worker: "Signer1", code: "--pin"))
    }

    @Test(arguments: [
        ([], "expected a worker and an authentication code"),
        (["Signer1"], "expected a worker and an authentication code"),
        (["Signer1", "my", "s3cret"], "too many arguments"),
        (["Signer1", ""], "the authentication code is empty"),
    ])
    func activationUsageErrors(_ arguments: [String], _ problem: String) {
        #expect(throws: CLIError.usage(problem, ActivationArguments.usage)) { try ActivationArguments.parse(arguments) }
    }

    @Test func activationErrorsNeverShowTheCode() {
        for arguments in [["Signer1", "my", "s3cret"], ["Sig/ner1", "s3cret"], ["Signer1", "s3cret", "x"]] {
            do {
                _ = try ActivationArguments.parse(arguments)
                Issue.record("accepted \(arguments.count) arguments")
            } catch {
                #expect(!error.description.contains("s3cret"))
            }
        }
    }

    // MARK: generatekey

    @Test func generateKey() throws {
        #expect(
            try GenerateKeyArguments.parse(["Signer1", "-keyalg", "RSA", "-keyspec", "2048", "-alias", "k1"])
                == .init(worker: "Signer1", keyAlgorithm: "RSA", keySpecification: "2048", alias: "k1"))
        #expect(
            try GenerateKeyArguments.parse(["-ALIAS", "k2", "-KeySpec", "secp256r1", "-keyAlg", "ECDSA", "7"])
                == .init(worker: "7", keyAlgorithm: "ECDSA", keySpecification: "secp256r1", alias: "k2"))
        #expect(
            try GenerateKeyArguments.parse(["Signer1", "-keyalg", "ed25519", "-alias", "k3"])
                == .init(worker: "Signer1", keyAlgorithm: "ed25519", keySpecification: nil, alias: "k3"))
        #expect(
            try GenerateKeyArguments.parse(["Signer1", "-keyalg", "Ed448", "-alias", "k4"]).keySpecification == nil)
    }

    @Test(arguments: [
        ([], "missing <worker>"),
        (["-keyalg", "RSA", "-keyspec", "2048", "-alias", "k"], "missing <worker>"),
        (["Signer1", "-keyspec", "2048", "-alias", "k"], "-keyalg is required"),
        (["Signer1", "-keyalg", "RSA", "-keyspec", "2048"], "-alias is required"),
        (["Signer1", "-keyalg", "RSA", "-alias", "k"], "-keyspec is required for RSA"),
        (["Signer1", "-keyalg"], "-keyalg needs a value"),
        (["Signer1", "-keyalg", "-alias", "k"], "-keyalg needs a value"),
        (["Signer1", "-keyalg", " ", "-alias", "k"], "-keyalg needs a value"),
        (["Signer1", "-alias", "a", "-alias", "b", "-keyalg", "Ed25519"], "-alias given twice"),
        (["Signer1", "Signer2", "-keyalg", "Ed25519", "-alias", "k"], "unexpected argument 'Signer2'"),
        (["Signer1", "-keysize", "2048"], "unknown option '-keysize'"),
    ])
    func generateKeyUsageErrors(_ arguments: [String], _ problem: String) {
        #expect(throws: CLIError.usage(problem, GenerateKeyArguments.usage)) { try GenerateKeyArguments.parse(arguments) }
    }

    @Test func generateKeyChecksWorkerAndAlias() {
        #expect(throws: CLIError("invalid key alias 'k/1': use letters, digits, '_', '.' and '-'")) {
            try GenerateKeyArguments.parse(["Signer1", "-keyalg", "Ed25519", "-alias", "k/1"])
        }
        #expect(throws: CLIError("invalid worker name or id 'a b': use letters, digits, '_', '.' and '-'")) {
            try GenerateKeyArguments.parse(["a b", "-keyalg", "Ed25519", "-alias", "k1"])
        }
    }

    // MARK: generatecertreq

    @Test func certificateRequest() throws {
        #expect(
            try CertReqArguments.parse(["Signer1", "CN=Signer 1, O=Demo, C=SE", "SHA256withRSA", "signer1.csr"])
                == .init(
                    worker: "Signer1", subjectDN: "CN=Signer 1, O=Demo, C=SE", signatureAlgorithm: "SHA256withRSA",
                    outputFile: "signer1.csr", nextKey: false, alias: nil))
        #expect(
            try CertReqArguments.parse(["Signer1", "CN=S", "SHA256withECDSA", "/tmp/x.csr", "-NEXTKEY"])
                == .init(
                    worker: "Signer1", subjectDN: "CN=S", signatureAlgorithm: "SHA256withECDSA", outputFile: "/tmp/x.csr",
                    nextKey: true, alias: nil))
        #expect(
            try CertReqArguments.parse(["Signer1", "-Alias", "k2", "CN=S", "Ed25519", "x.csr"])
                == .init(
                    worker: "Signer1", subjectDN: "CN=S", signatureAlgorithm: "Ed25519", outputFile: "x.csr",
                    nextKey: false, alias: "k2"))
    }

    @Test(arguments: [
        ([], "expected <worker> <dn> <sigalg> <outfile>"),
        (["Signer1", "CN=S", "SHA256withRSA"], "expected <worker> <dn> <sigalg> <outfile>"),
        (["Signer1", "CN=Signer", "1,", "O=Demo", "SHA256withRSA", "x.csr"], "too many arguments (quote the DN)"),
        (["Signer1", "CN=S", "SHA256withRSA", "x.csr", "-nextkey", "-alias", "k"], "-nextkey and -alias conflict"),
        (["Signer1", "CN=S", "SHA256withRSA", "x.csr", "-nextkey", "-nextkey"], "-nextkey given twice"),
        (["Signer1", "CN=S", "SHA256withRSA", "x.csr", "-alias"], "-alias needs a value"),
        (["Signer1", "CN=S", "SHA256withRSA", "x.csr", "-alias", "-nextkey"], "-alias needs a value"),
        (["Signer1", "CN=S", "SHA256withRSA", "x.csr", "-alias", "a", "-alias", "b"], "-alias given twice"),
        (["Signer1", "CN=S", "SHA256withRSA", "x.csr", "-explicitecc"], "unknown option '-explicitecc'"),
        (["Signer1", " ", "SHA256withRSA", "x.csr"], "<dn> is empty"),
        (["Signer1", "CN=S", "SHA256withRSA", ""], "<outfile> is empty"),
    ])
    func certificateRequestUsageErrors(_ arguments: [String], _ problem: String) {
        #expect(throws: CLIError.usage(problem, CertReqArguments.usage)) { try CertReqArguments.parse(arguments) }
    }

    @Test func certificateRequestChecksAlias() {
        #expect(throws: CLIError("invalid key alias '..': use letters, digits, '_', '.' and '-'")) {
            try CertReqArguments.parse(["Signer1", "CN=S", "SHA256withRSA", "x.csr", "-alias", ".."])
        }
    }

    @Test func csrIsWrittenAsPEM() {
        let pem = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----"
        #expect(OutputFiles.pem(pem, label: "CERTIFICATE REQUEST") == pem + "\n")
        #expect(OutputFiles.pem(pem + "\n", label: "CERTIFICATE REQUEST") == pem + "\n")
        let base64 = String(repeating: "A", count: 70)
        #expect(
            OutputFiles.pem(base64, label: "CERTIFICATE REQUEST")
                == "-----BEGIN CERTIFICATE REQUEST-----\n\(String(repeating: "A", count: 64))\nAAAAAA\n"
                + "-----END CERTIFICATE REQUEST-----\n")
    }

    @Test func outputFileErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signpeer-cli-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: CLIError("cannot write \(directory): is a directory")) { try OutputFiles.checkWritable(directory) }
        #expect(throws: CLIError("cannot write \(directory)/no/x.csr: no such directory")) {
            try OutputFiles.checkWritable(directory + "/no/x.csr")
        }
        let file = directory + "/x.csr"
        try OutputFiles.checkWritable(file)
        try OutputFiles.write(Data("longer first content\n".utf8), to: file)
        try OutputFiles.write(Data("second\n".utf8), to: file)
        #expect(FileManager.default.contents(atPath: file) == Data("second\n".utf8))
        #expect(throws: CLIError.self) { try OutputFiles.write(Data(), to: directory) }
    }

    // MARK: upload scope

    @Test func uploadScope() throws {
        for scope in ["GLOB", "glob", "Glob"] {
            try UploadSignerCertificateCommand.checkScope(scope)
            try UploadSignerCertificateChainCommand.checkScope(scope)
        }
        #expect(
            throws: CLIError.usage(
                "the scope must be GLOB, not 'NODE'", "signpeer uploadsignercertificate <worker> GLOB <file>")
        ) { try UploadSignerCertificateCommand.checkScope("NODE") }
        #expect(throws: CLIError.usage("the scope must be GLOB, not 'cert.pem'", UploadSignerCertificateChainCommand.usageLine)) {
            try UploadSignerCertificateChainCommand.checkScope("cert.pem")
        }
        #expect(UploadSignerCertificateChainCommand.usageLine == "signpeer uploadsignercertificatechain <worker> GLOB <file>")
        #expect(try UploadSignerCertificateCommand.path("Signer1") == "/admin/v1/workers/Signer1/certificate")
        #expect(try UploadSignerCertificateChainCommand.path("Signer1") == "/admin/v1/workers/Signer1/certificatechain")
    }

    // MARK: Output

    @Test func tokenEntries() {
        let list = TokenEntryList(
            tokenWorkerId: 2,
            entries: [
                TokenEntry(
                    alias: "k1", algorithm: "Ed25519", specification: nil, subjectKeyId: "ab01",
                    certificateSubject: "CN=Signer 1, O=Demo"),
                TokenEntry(alias: "k2", algorithm: "RSA", specification: "2048", subjectKeyId: "cd", certificateSubject: nil),
            ])
        #expect(
            QueryTokenEntriesCommand.lines(for: list) == [
                "Token entries of worker 2:",
                "k1 Ed25519 - ski=ab01 certificate=CN=Signer 1, O=Demo",
                "k2 RSA 2048 ski=cd certificate=none",
            ])
        #expect(QueryTokenEntriesCommand.lines(for: TokenEntryList(tokenWorkerId: 5, entries: [])) == ["Token entries of worker 5:"])
    }

    @Test func createdKey() {
        #expect(
            GenerateKeyCommand.line(
                for: TokenEntry(alias: "k1", algorithm: "RSA", specification: "2048", subjectKeyId: "a", certificateSubject: nil))
                == "Created key k1 (RSA 2048)")
        #expect(
            GenerateKeyCommand.line(
                for: TokenEntry(alias: "k2", algorithm: "Ed25519", specification: nil, subjectKeyId: "a", certificateSubject: nil))
                == "Created key k2 (Ed25519)")
    }

    @Test func keyTestReport() {
        let ok = TestKeyCommand.report(
            for: KeyTestResult(alias: "k1", success: true, signatureAlgorithm: "Ed25519", matchesSignerCertificate: true))
        #expect(ok.lines == ["Key k1 OK (Ed25519)"] && ok.failure == nil)
        let noCertificate = TestKeyCommand.report(
            for: KeyTestResult(alias: "k1", success: true, signatureAlgorithm: "Ed25519", matchesSignerCertificate: nil))
        #expect(noCertificate.lines == ["Key k1 OK (Ed25519)"] && noCertificate.failure == nil)
        let mismatch = TestKeyCommand.report(
            for: KeyTestResult(alias: "k2", success: true, signatureAlgorithm: "SHA256withRSA", matchesSignerCertificate: false))
        #expect(mismatch.lines == ["Key k2 OK (SHA256withRSA)"])
        #expect(mismatch.failure == CLIError("key k2 does not match the signer certificate"))
        let failed = TestKeyCommand.report(
            for: KeyTestResult(alias: "k3", success: false, signatureAlgorithm: "SHA256withRSA", matchesSignerCertificate: nil))
        #expect(failed.lines.isEmpty)
        #expect(failed.failure == CLIError("key k3 failed the signing test"))
        #expect(failed.failure?.exitCode == 1)
    }
}
