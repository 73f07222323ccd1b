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
        #expect(migrations.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1,40")
        let admins = try await ProcessRunner.run(
            "psql", [system.databaseURL, "-tAc", "SELECT count(*) FROM role_rules WHERE role = 'ADMIN'"])
        #expect(admins.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    @Test func sigtermStopsAServiceGracefully() async throws {
        let system = try await SignPeerSystem(name: "sigterm")
        defer { system.shutdown() }
        try system.start(.renewal)
        try await Task.sleep(for: .seconds(1))
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

/// The container files are checked without a container engine or cluster (none runs on these
/// machines): compose.yaml's and the Kubernetes manifests' structure, and that the Dockerfile
/// builds the same products as up.sh.
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

    @Test func dockerfileBuildsWhatUpShBuilds() throws {
        let dockerfile = try String(contentsOfFile: RepositoryPaths.root + "/deploy/docker/Dockerfile", encoding: .utf8)
        let upScript = try String(contentsOfFile: RepositoryPaths.root + "/deploy/local/up.sh", encoding: .utf8)
        // Each script's `for product in …; do` list, compared as whole words ("signpeer" is a
        // prefix of the other products, so a substring check could not fail).
        func products(_ script: String) -> Set<String> {
            guard let line = script.split(separator: "\n").first(where: { $0.contains("for product in ") }),
                let list = line.split(separator: "for product in ").last?.split(separator: ";").first
            else { return [] }
            return Set(list.split(separator: " ").map(String.init))
        }
        let expected: Set = ["signpeer-gateway", "signpeer-keybindings", "signpeer-renewal", "signpeer"]
        #expect(products(dockerfile) == expected)
        #expect(products(upScript) == expected)
        #expect(dockerfile.contains("libssl3 libpq5 libcurl4"), "the runtime image has only the runtime libraries")
    }
}
