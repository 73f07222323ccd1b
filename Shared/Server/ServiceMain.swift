import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import SignPeerCore
import SignPeerHTTPClient

/// The process skeleton shared by the three executables: read the configuration (a bad value
/// exits with status 2 and one line naming the variable), bootstrap logging and metrics, build
/// the services, and run them in a `ServiceGroup` that shuts down gracefully on SIGTERM/SIGINT.
public enum ServiceMain {
    public static func run(
        service name: String,
        _ build: @Sendable (_ environment: EnvironmentReader, _ context: ServiceBootContext) async throws -> [any Service]
    ) async {
        HTTPClient.prepareProcess()
        unblockShutdownSignals()
        let environment = EnvironmentReader()
        let logger: Logger
        do {
            logger = try LogBootstrap.bootstrap(service: name, environment: environment)
        } catch {
            exitWithConfigurationError(name, error)
        }
        let registry = MetricsBootstrap.bootstrap()
        do {
            let context = ServiceBootContext(
                logger: logger, metrics: registry, connections: try ConnectionSettings(environment: environment))
            let services = try await build(environment, context)
            logger.info("starting", metadata: ["version": .string(ProductVersion.current)])
            let group = ServiceGroup(
                configuration: .init(
                    services: services.map { .init(service: $0) },
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            try await group.run()
            logger.info("stopped")
        } catch let error as ConfigurationError {
            exitWithConfigurationError(name, error)
        } catch {
            logger.critical("fatal", metadata: ["error": "\(error)"])
            exit(1)
        }
    }

    /// A parent may start us with SIGTERM/SIGINT blocked (Foundation's `Process` does when called
    /// from a Swift concurrency thread); graceful shutdown needs them delivered.
    static func unblockShutdownSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    static func exitWithConfigurationError(_ name: String, _ error: any Error) -> Never {
        FileHandle.standardError.write(Data("\(name): configuration error: \(error)\n".utf8))
        exit(2)
    }
}

/// What a service's builder gets from ``ServiceMain``.
public struct ServiceBootContext: Sendable {
    public let logger: Logger
    public let metrics: PrometheusCollectorRegistry
    /// Timeouts and limits of every listener the service opens.
    public let connections: ConnectionSettings

    init(logger: Logger, metrics: PrometheusCollectorRegistry, connections: ConnectionSettings) {
        self.logger = logger
        self.metrics = metrics
        self.connections = connections
    }
}
