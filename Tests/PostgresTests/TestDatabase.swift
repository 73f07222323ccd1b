import Logging
import SignPeerPostgres
import SignPeerTestSupport

/// A pool on a fresh database of the shared test cluster, so tests do not see each other's
/// tables.
func makeClient(
    _ name: String = "test", maxConnections: Int = 4, acquireTimeout: Duration = .seconds(5)
) async throws -> PostgresClient {
    let database = try await sharedPostgres()
    let configuration = PostgresConfiguration(
        connectionString: try await onOwnThread { try database.createDatabase(name: name) },
        maxConnections: maxConnections, acquireTimeout: acquireTimeout,
        applicationName: "signpeer-tests")
    return PostgresClient(configuration: configuration, logger: testLogger)
}

let testLogger = Logger(label: "signpeer.postgres.tests")
