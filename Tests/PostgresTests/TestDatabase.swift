import Logging
import SignPeerPostgres
import SignPeerTestSupport

/// A pool on a fresh database of the shared test cluster, so tests do not see each other's
/// tables.
func makeClient(
    _ name: String = "test", maxConnections: Int = 4, acquireTimeout: Duration = .seconds(5)
) throws -> PostgresClient {
    let configuration = PostgresConfiguration(
        connectionString: try TemporaryPostgres.shared.createDatabase(name: name),
        maxConnections: maxConnections, acquireTimeout: acquireTimeout,
        applicationName: "signpeer-tests")
    return PostgresClient(configuration: configuration, logger: testLogger)
}

let testLogger = Logger(label: "signpeer.postgres.tests")
