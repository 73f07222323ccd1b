import Logging
import Metrics
import ServiceLifecycle
import SignPeerPostgres

/// Owns the process's PostgreSQL pool for the lifetime of the `ServiceGroup`: migrates the
/// schema it is given (the Store's `SignPeerSchema`) at start (retrying while the database is still coming up) and closes the pool after
/// the HTTP servers have drained (it is registered first, so it is shut down last).
public struct DatabaseService: Service {
    public let client: PostgresClient
    let settings: DatabaseSettings
    let migrations: [Migration]
    let logger: Logger

    public init(settings: DatabaseSettings, migrations: [Migration], logger: Logger) {
        self.settings = settings
        self.migrations = migrations
        self.logger = logger
        self.client = PostgresClient(configuration: settings.postgres, logger: logger)
    }

    /// Applies the migrations; called before the servers start listening.
    public func migrate() async throws {
        let deadline = ContinuousClock.now + settings.startupTimeout
        while true {
            do {
                try await Migrator.run(migrations, on: client, logger: logger)
                return
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                logger.warning("database not reachable yet, retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await client.shutdown()
    }

    /// Pool gauges for `/metrics`: connections in use and idle, and callers waiting for one.
    public var poolCollector: OperationsRoutes.Collector {
        let client = client
        return {
            let statistics = await client.statistics
            Gauge(label: "signpeer_db_pool_connections", dimensions: [("state", "in_use")]).record(statistics.inUse)
            Gauge(label: "signpeer_db_pool_connections", dimensions: [("state", "idle")]).record(statistics.idle)
            Gauge(label: "signpeer_db_pool_waiting").record(statistics.waiting)
        }
    }

    /// The readiness check: one round trip to the database.
    public var readinessCheck: ReadinessCheck {
        let client = client
        let logger = logger
        return ReadinessCheck(name: "database") { requestID in
            do {
                _ = try await client.query("SELECT 1")
                return true
            } catch {
                logger.warning(
                    "database not ready",
                    metadata: ["request_id": .string(requestID), "cause": .string(ErrorMapping.cause(of: error))])
                return false
            }
        }
    }
}
