import Hummingbird
import Prometheus
import SignPeerCore

/// One dependency that `GET /readyz` checks. The closure throws (or returns false) when the
/// dependency is not usable; its error text is not exposed, only "ok"/"unavailable".
public struct ReadinessCheck: Sendable {
    public var name: String
    public var check: @Sendable (_ requestID: String) async -> Bool

    public init(name: String, check: @escaping @Sendable (_ requestID: String) async -> Bool) {
        self.name = name
        self.check = check
    }
}

/// `GET /healthz` (the process is alive), `GET /readyz` (its dependencies are reachable) and
/// `GET /metrics` (Prometheus text format) — the routes orchestrators and Prometheus call
/// without credentials. The gateway serves them on its operations port only, never on the
/// authenticated TLS port.
public enum OperationsRoutes {
    public static let paths: Set<String> = ["/healthz", "/readyz", "/metrics"]

    /// Brings point-in-time gauges (pool usage, active tokens, certificate expiry) up to date
    /// just before `/metrics` renders them.
    public typealias Collector = @Sendable () async -> Void

    public static func add<Context: RequestContext>(
        to router: Router<Context>, checks: [ReadinessCheck], registry: PrometheusCollectorRegistry,
        collectors: [Collector] = []
    ) {
        router.get("/healthz") { _, _ in
            JSONResponse.make(["status": "ok", "version": ProductVersion.current])
        }
        router.get("/readyz") { _, context in
            let requestID = context.requestID
            let results = await withTaskGroup(of: (String, Bool).self) { group in
                for check in checks {
                    group.addTask { (check.name, await check.check(requestID)) }
                }
                var results: [String: String] = [:]
                for await (name, ok) in group { results[name] = ok ? "ok" : "unavailable" }
                return results
            }
            let report = ReadinessReport(checks: results)
            if !report.isReady {
                context.logger.warning("not ready", metadata: ["checks": .stringConvertible(results)])
            }
            return JSONResponse.make(report, status: report.isReady ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            for collect in collectors { await collect() }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
