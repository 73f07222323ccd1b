import SignPeerPostgres

/// The database part of every service's configuration.
public struct DatabaseSettings: Sendable {
    /// `SIGNPEER_DATABASE_URL`: a libpq connection string or `postgresql://` URL.
    public static let defaultURL = "postgresql://signpeer@127.0.0.1:55432/signpeer"

    public var postgres: PostgresConfiguration
    /// How long start-up keeps retrying an unreachable database before giving up.
    public var startupTimeout: Duration

    public init(environment: EnvironmentReader) throws {
        let url = environment.string("SIGNPEER_DATABASE_URL", default: Self.defaultURL)
        var postgres = PostgresConfiguration(connectionString: url)
        postgres.maxConnections = try environment.int("SIGNPEER_DATABASE_POOL_SIZE", default: 8, range: 1...200)
        postgres.acquireTimeout = try environment.seconds(
            "SIGNPEER_DATABASE_ACQUIRE_TIMEOUT", default: .seconds(5), range: 1...300)
        self.postgres = postgres
        startupTimeout = try environment.seconds(
            "SIGNPEER_DATABASE_STARTUP_TIMEOUT", default: .seconds(30), range: 0...3600)
    }
}
