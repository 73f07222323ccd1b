/// The connection pool's policy as a value, without I/O or clocks of its own: how many
/// connections may be open, who gets a connection that comes back, when a waiting caller gives
/// up. ``PostgresClient`` feeds it events and carries out the actions it returns; tests drive it
/// with instants of their own choosing.
///
/// - A caller takes an idle connection (the most recently used), else opens a new one while fewer
///   than `maxConnections` are open, else waits in FIFO order until its deadline.
/// - A connection that comes back goes to the first waiter, else becomes idle. A connection that
///   broke frees its slot: the first waiter may open a new one.
/// - After `shutdown()` every call fails and every returning connection is closed.
struct PoolState<Connection, Instant: Comparable & Sendable> {
    let maxConnections: Int

    private(set) var idle: [Connection] = []
    /// Connections open or being opened, idle ones included; never above `maxConnections`.
    private(set) var openCount = 0
    private(set) var waiters: [(id: Int, deadline: Instant)] = []
    private(set) var isShutDown = false
    private var nextWaiterID = 0

    init(maxConnections: Int) { self.maxConnections = max(1, maxConnections) }

    /// What a waiter is handed: a connection, or the right to open one (a freed slot).
    enum Lease {
        case connection(Connection)
        case slot
    }

    enum AcquireAction {
        /// Check this idle connection and use it.
        case use(Connection)
        /// Open a new connection (its slot is counted).
        case open
        /// Wait; ``expire(at:)`` fails the waiter at `deadline`.
        case wait(id: Int, deadline: Instant)
        case failShutDown
    }

    mutating func acquire(deadline: Instant) -> AcquireAction {
        guard !isShutDown else { return .failShutDown }
        if let connection = idle.popLast() { return .use(connection) }
        if openCount < maxConnections {
            openCount += 1
            return .open
        }
        let id = nextWaiterID
        nextWaiterID += 1
        waiters.append((id, deadline))
        return .wait(id: id, deadline: deadline)
    }

    enum ReleaseAction {
        case keptIdle
        case handOver(waiter: Int, Lease)
        /// Close it; its slot was freed (and possibly handed on, see ``slotFreed()``).
        case close(slotHandedTo: Int?)
    }

    /// A connection comes back; `reusable` is false when it broke or was left in a transaction.
    mutating func release(_ connection: Connection, reusable: Bool) -> ReleaseAction {
        guard reusable, !isShutDown else { return .close(slotHandedTo: slotFreed()) }
        guard !waiters.isEmpty else {
            idle.append(connection)
            return .keptIdle
        }
        return .handOver(waiter: waiters.removeFirst().id, .connection(connection))
    }

    /// A counted connection is gone (closed, or it failed to open): returns the waiter that may
    /// open a new one, or nil when the slot is simply uncounted.
    mutating func slotFreed() -> Int? {
        guard !waiters.isEmpty, !isShutDown else {
            openCount -= 1
            return nil
        }
        return waiters.removeFirst().id
    }

    /// The waiters whose deadline has passed at `now`, removed in order.
    mutating func expire(at now: Instant) -> [Int] {
        let expired = waiters.filter { $0.deadline <= now }.map(\.id)
        waiters.removeAll { $0.deadline <= now }
        return expired
    }

    /// Removes a waiter (its task was cancelled); false when it was already served or expired.
    mutating func cancel(_ id: Int) -> Bool {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Stops the pool: returns the waiters to fail and the idle connections to close.
    mutating func shutdown() -> (waiters: [Int], idle: [Connection]) {
        isShutDown = true
        let result = (waiters.map(\.id), idle)
        openCount -= idle.count
        waiters.removeAll()
        idle.removeAll()
        return result
    }
}

extension PoolState.Lease: Sendable where Connection: Sendable {}
