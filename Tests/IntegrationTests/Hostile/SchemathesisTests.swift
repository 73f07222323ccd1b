import Foundation
import SignPeerTestSupport
import Testing

extension HostileTests {
    /// The served OpenAPI document against the served API: schemathesis (PyPI, installed by
    /// `deploy/local/test.sh`) generates a bounded number of requests per operation from
    /// `GET /peer/v1/openapi.json`, with the demo peer's certificate, and checks that nothing answers
    /// 5xx and every answer (status, media type, body) is one the document describes.
    @Suite("Schemathesis", .serialized)
    struct SchemathesisTests {
        @Test func theServedPeerAPIMatchesItsOpenAPIDocument() async throws {
            let installed = try await ProcessRunner.run("python3", ["-c", "import schemathesis"])
            try #require(installed.status == 0, "schemathesis is installed by deploy/local/test.sh")
            let system = try await SignPeerSystem(name: "schemathesis")
            defer { system.shutdown() }
            try await system.start()
            try await system.admitDemoPeer()
            for name in ["FuzzA", "FuzzB"] { _ = try await system.makeSigner(name, properties: ["KEYALG": "Ed25519"]) }

            let base = "https://127.0.0.1:\(system.gatewayPort)"
            let report = system.directory + "/schemathesis"
            let run = try await ProcessRunner.run(
                "timeout",
                [
                    "600", "python3", "-m", "schemathesis.cli", "run", base + "/peer/v1/openapi.json", "--url", base,
                    "--tls-verify", system.pki + "/ca.pem", "--request-cert", system.pki + "/peer.pem",
                    "--request-cert-key", system.pki + "/peer.key", "--max-examples", "25", "--seed", "13",
                    "--phases", "examples,coverage,fuzzing", "--workers", "1", "--request-timeout", "20",
                    "--checks",
                    "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,unsupported_method",
                    "--report", "junit", "--report-dir", report, "--no-color",
                ],
                environment: ProcessInfo.processInfo.environment.merging([
                    // Serializers for the certificate media types (Tests/Fuzz/schemathesis_hooks.py).
                    "SCHEMATHESIS_HOOKS": "schemathesis_hooks", "PYTHONPATH": RepositoryPaths.root + "/Tests/Fuzz",
                ]) { _, new in new },
                currentDirectory: system.directory)  // its example cache stays out of the checkout
            #expect(run.status == 0, "schemathesis found problems:\n\(run.stdout.suffix(6000))\n\(run.stderr.suffix(2000))")
            #expect(!system.log(.gateway).contains("internal_error"))
        }
    }
}
