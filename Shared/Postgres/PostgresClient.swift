import Logging

/// A bounded pool of `PostgresConnection`s, and the way services talk to PostgreSQL.
///
/// An actor because the pool is shared mutable state with a lifecycle: it opens connections on
/// demand up to `maxConnections`, queues callers beyond that in FIFO order (each fails with
/// `PostgresError.poolTimeout` after `acquireTimeout`, or with `CancellationError` when its task is
/// cancelled), and drops connections that broke. An idle connection is checked before it is
/// handed out and re-opened if the server closed it, so the client recovers from a PostgreSQL
/// restart without a restart of its own.
public actor PostgresClient {
    public nonisolated let configuration: PostgresConfiguration
    let logger: Logger

    private var idle: [PostgresConnection] = []
    /// Connections open or being opened, idle ones included; never above `maxConnections`.
    private var openCount = 0
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0
    private var isShutDown = false

    /// What a waiting caller is handed: a connection to use, or the right to open one because
    /// another was closed.
    private enum Lease: Sendable {
        case connection(PostgresConnection)
        case slot
    }

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Lease, any Error>
        var timeout: Task<Void, Never>
    }

    /// Creates the pool; connections are opened on first use.
    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Connections handed out, connections idle in the pool, and callers waiting for one.
    public var statistics: (inUse: Int, idle: Int, waiting: Int) {
        (openCount - idle.count, idle.count, waiters.count)
    }

    /// Runs one statement on a pooled connection and returns its rows.
    @discardableResult
    public nonisolated func query(
        _ sql: String, _ parameters: [PostgresValue] = []
    ) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, parameters) }
    }

    /// Runs one statement on a pooled connection and returns the number of rows it affected.
    @discardableResult
    public nonisolated func execute(
        _ sql: String, _ parameters: [PostgresValue] = []
    ) async throws -> Int {
        try await withConnection { try await $0.execute(sql, parameters) }
    }

    /// Lends `body` a connection for its duration. The connection goes back to the pool
    /// afterwards unless it broke or was left inside a transaction, in which case it is closed.
    public func withConnection<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            await release(connection)
            return value
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Closes every idle connection and fails every waiting caller with `PostgresError.closed`.
    /// Connections in use are closed when they come back; later calls fail with `.closed`.
    public func shutdown() async {
        isShutDown = true
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting {
            waiter.timeout.cancel()
            waiter.continuation.resume(throwing: PostgresError.closed)
        }
        let connections = idle
        idle.removeAll()
        openCount -= connections.count
        for connection in connections {
            await connection.close()
        }
    }

    // MARK: Lending connections

    func acquire() async throws -> PostgresConnection {
        guard !isShutDown else { throw PostgresError.closed }
        if let connection = idle.popLast() {
            do {
                try await connection.reconnectIfNeeded()
                return connection
            } catch {
                logger.warning(
                    "dropping a broken PostgreSQL connection", metadata: ["error": "\(error)"])
                await connection.close()
                slotFreed()
                throw error
            }
        }
        if openCount < configuration.maxConnections {
            openCount += 1
            return try await openConnection()
        }
        switch try await waitForLease() {
        case .connection(let connection): return connection
        case .slot: return try await openConnection()
        }
    }

    func release(_ connection: PostgresConnection) async {
        guard await connection.isReusable, !isShutDown else {
            await connection.close()
            slotFreed()
            return
        }
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            serveFirstWaiter(with: .connection(connection))
        }
    }

    /// Opens a connection for a slot already counted in `openCount`.
    private func openConnection() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration, logger: logger)
        } catch {
            slotFreed()
            throw error
        }
    }

    /// A counted connection is gone: let the first waiter open a new one, or uncount it.
    private func slotFreed() {
        if waiters.isEmpty || isShutDown {
            openCount -= 1
        } else {
            serveFirstWaiter(with: .slot)
        }
    }

    private func serveFirstWaiter(with lease: Lease) {
        let waiter = waiters.removeFirst()
        waiter.timeout.cancel()
        waiter.continuation.resume(returning: lease)
    }

    private func waitForLease() async throws -> Lease {
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard !Task.isCancelled else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let timeout = Task { [acquireTimeout = configuration.acquireTimeout] in
                    try? await Task.sleep(for: acquireTimeout)
                    guard !Task.isCancelled else { return }
                    self.failWaiter(id, with: PostgresError.poolTimeout)
                }
                waiters.append(Waiter(id: id, continuation: continuation, timeout: timeout))
            }
        } onCancel: {
            Task { await self.failWaiter(id, with: CancellationError()) }
        }
    }

    private func failWaiter(_ id: Int, with error: any Error) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.timeout.cancel()
        waiter.continuation.resume(throwing: error)
    }
}
