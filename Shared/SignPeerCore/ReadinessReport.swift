/// The body of `GET /readyz`: overall readiness plus one entry per dependency checked, so an
/// operator sees *which* dependency is down without reading logs.
public struct ReadinessReport: Codable, Sendable, Equatable {
    public var status: String
    public var checks: [String: String]

    public init(checks: [String: String]) {
        self.checks = checks
        self.status = checks.values.allSatisfy { $0 == "ok" } ? "ready" : "not_ready"
    }

    public var isReady: Bool { status == "ready" }
}
