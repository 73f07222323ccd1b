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

    /// The policy (``PoolState``); this actor carries out its actions.
    private var state: PoolState<PostgresConnection, ContinuousClock.Instant>
    private typealias Lease = PoolState<PostgresConnection, ContinuousClock.Instant>.Lease
    /// The suspended callers by waiter id, each with the task that expires it.
    private var waiting: [Int: (continuation: CheckedContinuation<Lease, any Error>, timeout: Task<Void, Never>)] = [:]

    /// Creates the pool; connections are opened on first use.
    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = PoolState(maxConnections: configuration.maxConnections)
    }

    /// Connections handed out, connections idle in the pool, and callers waiting for one.
    public var statistics: (inUse: Int, idle: Int, waiting: Int) {
        (state.openCount - state.idle.count, state.idle.count, state.waiters.count)
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
        let (waiters, idle) = state.shutdown()
        for id in waiters { resume(id, with: .failure(PostgresError.closed)) }
        for connection in idle { await connection.close() }
    }

    // MARK: Lending connections

    func acquire() async throws -> PostgresConnection {
        switch state.acquire(deadline: .now + configuration.acquireTimeout) {
        case .failShutDown:
            throw PostgresError.closed
        case .use(let connection):
            do {
                try await connection.reconnectIfNeeded()
                return connection
            } catch {
                logger.warning("dropping a broken PostgreSQL connection", metadata: ["error": "\(error)"])
                await connection.close()
                slotFreed()
                throw error
            }
        case .open:
            return try await openConnection()
        case .wait(let id, let deadline):
            switch try await wait(id, until: deadline) {
            case .connection(let connection): return connection
            case .slot: return try await openConnection()
            }
        }
    }

    func release(_ connection: PostgresConnection) async {
        switch state.release(connection, reusable: await connection.isReusable) {
        case .keptIdle:
            break
        case .handOver(let id, let lease):
            resume(id, with: .success(lease))
        case .close(let handedTo):
            await connection.close()
            if let handedTo { resume(handedTo, with: .success(.slot)) }
        }
    }

    /// Opens a connection for a slot already counted.
    private func openConnection() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration, logger: logger)
        } catch {
            slotFreed()
            throw error
        }
    }

    private func slotFreed() {
        if let id = state.slotFreed() { resume(id, with: .success(.slot)) }
    }

    private func wait(_ id: Int, until deadline: ContinuousClock.Instant) async throws -> Lease {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard !Task.isCancelled else {
                    _ = state.cancel(id)
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let timeout = Task {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    guard !Task.isCancelled else { return }
                    await self.expireWaiters()
                }
                waiting[id] = (continuation, timeout)
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func expireWaiters() {
        for id in state.expire(at: .now) { resume(id, with: .failure(PostgresError.poolTimeout)) }
    }

    private func cancelWaiter(_ id: Int) {
        if state.cancel(id) { resume(id, with: .failure(CancellationError())) }
    }

    private func resume(_ id: Int, with result: Result<Lease, any Error>) {
        guard let entry = waiting.removeValue(forKey: id) else { return }
        entry.timeout.cancel()
        entry.continuation.resume(with: result)
    }
}
