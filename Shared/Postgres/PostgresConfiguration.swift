/// How `PostgresClient` reaches PostgreSQL and how large its pool may grow.
///
/// Every parameter but the connection string has a documented default, so a service only sets
/// what its environment dictates.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection string: either `key=value` pairs (`host=db port=5432 user=signpeer
    /// dbname=signpeer`) or a `postgresql://user@host:port/dbname` URL.
    public var connectionString: String

    /// The most connections the pool opens at once. Default: 8.
    public var maxConnections: Int

    /// How long `PostgresClient` waits for a free connection before failing with
    /// `PostgresError.poolTimeout`. Default: 5 seconds.
    public var acquireTimeout: Duration

    /// Seconds libpq waits for the server when connecting, passed as `connect_timeout` unless the
    /// connection string sets its own. Default: 5.
    public var connectTimeout: Int

    /// Shown in `pg_stat_activity.application_name`; overrides one in the connection string.
    /// Default: `nil` (libpq's default, or what the connection string says).
    public var applicationName: String?

    /// Whether a commit waits until its WAL is flushed to disk (PostgreSQL's
    /// `synchronous_commit`). Default: `true`. Set `false` only for a pool whose writes may be
    /// lost in a PostgreSQL crash (never corrupted): bookkeeping such as the incoming-connection
    /// registry, never audit rows or configuration.
    public var synchronousCommit = true

    public init(
        connectionString: String,
        maxConnections: Int = 8,
        acquireTimeout: Duration = .seconds(5),
        connectTimeout: Int = 5,
        applicationName: String? = nil
    ) {
        precondition(maxConnections > 0, "maxConnections must be positive")
        self.connectionString = connectionString
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
    }
}
