import Foundation
import SignPeerTestSupport
import Testing

/// Readiness follows the internal services, start-up refuses bad configuration, and the schema is
/// migrated once however many services start together.
@Suite("Readiness and lifecycle", .serialized)
struct ReadinessTests {
    @Test func gatewayReadinessFollowsTheRenewalServiceWithoutARestart() async throws {
        let system = try await SignPeerSystem(name: "readiness")
        defer { system.shutdown() }
        try await system.start()
        #expect(try await system.readyStatus() == 200)

        try await system.admitDemoPeer()
        _ = try await system.makeSigner("Listed", properties: ["KEYALG": "Ed25519"])
        system.stop(.renewal)
        #expect(try await system.readyStatus() == 503)
        // A dependency down: 503 service_unavailable with Retry-After, never a hang or a 500.
        let headers = system.directory + "/headers.txt"
        let listing = try await system.curl("/peer/v1/keybindings", as: "peer", extra: ["-D", headers])
        #expect(listing.status == 503)
        #expect(listing.errorCode == "service_unavailable")
        #expect(try String(contentsOfFile: headers, encoding: .utf8).lowercased().contains("retry-after: 5"))

        try system.start(.renewal)
        try await system.waitUntilReady()
        #expect(system.terminationStatus(.gateway) == nil, "the gateway kept running")

        let migrations = try await ProcessRunner.run(
            "psql", [system.databaseURL, "-tAc", "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations"])
        #expect(migrations.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1,20,40,50,60")
        let admins = try await ProcessRunner.run(
            "psql", [system.databaseURL, "-tAc", "SELECT count(*) FROM role_rules WHERE role = 'ADMIN'"])
        #expect(admins.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    @Test func sigtermStopsAServiceGracefully() async throws {
        let system = try await SignPeerSystem(name: "sigterm")
        defer { system.shutdown() }
        try system.start(.renewal)
        // Until the service group runs, SIGTERM has its default action; wait until a server of
        // the group listens (migrations take longer on a loaded machine) instead of a fixed pause.
        for _ in 0..<300 where !system.log(.renewal).contains("started and listening") {
            try await Task.sleep(for: .milliseconds(100))
        }
        let start = ContinuousClock.now
        system.stop(.renewal, signal: SIGTERM)
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(system.log(.renewal).contains("stopped"))
    }

    @Test(arguments: [
        ("SIGNPEER_GATEWAY_PORT", "not-a-port"),
        ("SIGNPEER_GATEWAY_PORT", "70000"),
        ("SIGNPEER_KEYBINDINGS_URL", "ftp://x"),
        ("SIGNPEER_TLS_CERT", "/nonexistent.pem"),
        ("SIGNPEER_LOG_LEVEL", "loud"),
    ])
    func aBadValueStopsStartUpWithOneLineNamingTheVariable(variable: String, value: String) async throws {
        let system = try await SignPeerSystem(name: "badconfig")
        defer { system.shutdown() }
        try system.start(.gateway, extraEnvironment: [variable: value])
        for _ in 0..<100 where system.terminationStatus(.gateway) == nil {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(system.terminationStatus(.gateway) == 2)
        let lines = system.log(.gateway).split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains(variable) == true, "\(lines)")
    }
}

/// The container files are checked without a container engine or cluster: compose.yaml's and the
/// Dockerfile's shape, and the Kubernetes manifests against the API schemas. The images are built
/// and the stack is run by deploy/docker/test.sh, which .ci/run runs after these tests.
@Suite("Containers")
struct ContainerFilesTests {
    @Test func composeFileHasTheShapeOperatorsRelyOn() async throws {
        let result = try await ProcessRunner.run(
            "python3", [RepositoryPaths.root + "/Tests/Deploy/check_compose.py", RepositoryPaths.root + "/compose.yaml"])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
    }

    @Test func kubernetesManifestsHaveTheShapeOperatorsRelyOn() async throws {
        let result = try await ProcessRunner.run(
            "python3",
            [RepositoryPaths.root + "/Tests/Deploy/check_kubernetes.py", RepositoryPaths.root + "/deploy/kubernetes/signpeer.yaml"])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
    }

    @Test func dockerfileBuildsEveryProductOnceFromQualifiedBaseImages() async throws {
        let result = try await ProcessRunner.run(
            "python3", [RepositoryPaths.root + "/Tests/Deploy/check_dockerfile.py", RepositoryPaths.root])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
    }
}
