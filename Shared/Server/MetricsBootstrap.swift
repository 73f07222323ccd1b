import Metrics
import Prometheus

/// Installs a Prometheus registry as the process's swift-metrics backend, once.
///
/// Every module records through swift-metrics (`Counter`, `Timer`, `Gauge`); `/metrics` renders
/// this registry.
public enum MetricsBootstrap {
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }
}
