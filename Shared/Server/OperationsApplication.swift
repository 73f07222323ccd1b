import Hummingbird
import Logging
import Prometheus

/// Builds the plain-HTTP applications: the gateway's operations port, and the single port of
/// each internal service (its API behind the internal credential plus the open operations
/// routes).
public enum OperationsApplication {
    /// Only `/healthz`, `/readyz` and `/metrics`, no credential (the gateway's operations port).
    public static func make(
        name: String, host: String, port: Int, checks: [ReadinessCheck],
        metrics: PrometheusCollectorRegistry, collectors: [OperationsRoutes.Collector] = [], logger: Logger,
        connections: ConnectionSettings
    ) -> some ApplicationProtocol {
        let router = Router()
        addCommonMiddleware(to: router)
        OperationsRoutes.add(to: router, checks: checks, registry: metrics, collectors: collectors)
        return Application(
            router: router, server: .guardedHTTP1(connections),
            configuration: connections.applicationConfiguration(host: host, port: port, serverName: name, logger: logger),
            logger: logger)
    }

    /// An internal service: the routes `addRoutes` registers require the internal credential;
    /// the operations routes do not.
    public static func makeInternal(
        name: String, host: String, port: Int, credential: InternalCredential, checks: [ReadinessCheck],
        metrics: PrometheusCollectorRegistry, collectors: [OperationsRoutes.Collector] = [], logger: Logger,
        connections: ConnectionSettings, addRoutes: (Router<BasicRequestContext>) -> Void
    ) -> some ApplicationProtocol {
        let router = internalRouter(
            credential: credential, checks: checks, metrics: metrics, collectors: collectors, addRoutes: addRoutes)
        return Application(
            router: router, server: .guardedHTTP1(connections),
            configuration: connections.applicationConfiguration(host: host, port: port, serverName: name, logger: logger),
            logger: logger)
    }

    /// The router of an internal service: the common middleware, the credential check, the
    /// operations routes and the service's own (also what in-process tests serve).
    public static func internalRouter(
        credential: InternalCredential, checks: [ReadinessCheck], metrics: PrometheusCollectorRegistry,
        collectors: [OperationsRoutes.Collector] = [], addRoutes: (Router<BasicRequestContext>) -> Void
    ) -> Router<BasicRequestContext> {
        let router = Router()
        addCommonMiddleware(to: router)
        router.add(middleware: InternalAuthMiddleware(credential: credential))
        OperationsRoutes.add(to: router, checks: checks, registry: metrics, collectors: collectors)
        addRoutes(router)
        return router
    }

    static func addCommonMiddleware(to router: Router<BasicRequestContext>) {
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: RequestMetricsMiddleware())
    }
}
