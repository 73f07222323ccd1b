import Testing

@testable import SignPeerPostgres

/// The pool's policy on its own: connections are plain strings and time is an integer the test
/// advances, so every rule is checked exactly, without a server and without wall-clock bounds.
struct PoolStateTests {
    typealias State = PoolState<String, Int>

    @Test func opensUpToTheLimitThenQueuesCallersInOrder() {
        var pool = State(maxConnections: 2)
        let r1 = pool.acquire(deadline: 5)
        #expect(r1 == .open)
        let r2 = pool.acquire(deadline: 5)
        #expect(r2 == .open)
        let r3 = pool.acquire(deadline: 5)
        #expect(r3 == .wait(id: 0, deadline: 5))
        let r4 = pool.acquire(deadline: 7)
        #expect(r4 == .wait(id: 1, deadline: 7))
        #expect(pool.openCount == 2)
        // Returned connections go to the waiters, first come first served.
        let r5 = pool.release("a", reusable: true)
        #expect(r5 == .handOver(waiter: 0, .connection("a")))
        let r6 = pool.release("b", reusable: true)
        #expect(r6 == .handOver(waiter: 1, .connection("b")))
        let r7 = pool.release("a", reusable: true)
        #expect(r7 == .keptIdle)
        let r8 = pool.acquire(deadline: 9)
        #expect(r8 == .use("a"))
    }

    @Test func theMostRecentlyReturnedIdleConnectionIsUsedFirst() {
        var pool = State(maxConnections: 3)
        for _ in 0..<2 { _ = pool.acquire(deadline: 1) }
        _ = pool.release("old", reusable: true)
        _ = pool.release("new", reusable: true)
        let r9 = pool.acquire(deadline: 1)
        #expect(r9 == .use("new"))
    }

    @Test func waitersExpireAtTheirDeadlineAndNotBefore() {
        var pool = State(maxConnections: 1)
        _ = pool.acquire(deadline: 0)
        _ = pool.acquire(deadline: 10)
        _ = pool.acquire(deadline: 20)
        let r10 = pool.expire(at: 9)
        #expect(r10.isEmpty)
        let r11 = pool.expire(at: 10)
        #expect(r11 == [0])
        #expect(pool.waiters.map(\.id) == [1])
        let r12 = pool.expire(at: 100)
        #expect(r12 == [1])
        let r13 = pool.release("a", reusable: true)
        #expect(r13 == .keptIdle)
    }

    @Test func aBrokenConnectionHandsItsSlotToTheFirstWaiter() {
        var pool = State(maxConnections: 1)
        _ = pool.acquire(deadline: 0)
        _ = pool.acquire(deadline: 5)
        let r14 = pool.release("broken", reusable: false)
        #expect(r14 == .close(slotHandedTo: 0))
        #expect(pool.openCount == 1, "the waiter now opens one in that slot")
        let r15 = pool.slotFreed()
        #expect(r15 == nil, "its open failed: nobody waits, the slot is uncounted")
        #expect(pool.openCount == 0)
        let r16 = pool.acquire(deadline: 0)
        #expect(r16 == .open)
    }

    @Test func aCancelledWaiterLeavesTheQueue() {
        var pool = State(maxConnections: 1)
        _ = pool.acquire(deadline: 0)
        _ = pool.acquire(deadline: 5)
        _ = pool.acquire(deadline: 5)
        let r17 = pool.cancel(0)
        #expect(r17)
        let r18 = pool.cancel(0)
        #expect(!r18)
        let r19 = pool.release("a", reusable: true)
        #expect(r19 == .handOver(waiter: 1, .connection("a")))
    }

    @Test func shutdownFailsWaitersClosesIdleConnectionsAndRefusesEverythingAfter() {
        var pool = State(maxConnections: 2)
        _ = pool.acquire(deadline: 0)
        _ = pool.acquire(deadline: 0)
        _ = pool.release("idle", reusable: true)
        _ = pool.acquire(deadline: 0)  // takes "idle"
        _ = pool.release("idle", reusable: true)
        _ = pool.acquire(deadline: 0)  // takes "idle" again
        _ = pool.acquire(deadline: 3)  // waits
        let (waiters, idle) = pool.shutdown()
        #expect(waiters == [0])
        #expect(idle.isEmpty)
        let r20 = pool.acquire(deadline: 0)
        #expect(r20 == .failShutDown)
        let r21 = pool.release("in-use", reusable: true)
        #expect(r21 == .close(slotHandedTo: nil))
        #expect(pool.openCount == 1)
    }
}

extension PoolState.AcquireAction: Equatable where Connection: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.use(let a), .use(let b)): a == b
        case (.open, .open), (.failShutDown, .failShutDown): true
        case (.wait(let a, let x), .wait(let b, let y)): a == b && x == y
        default: false
        }
    }
}

extension PoolState.ReleaseAction: Equatable where Connection: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.keptIdle, .keptIdle): true
        case (.handOver(let a, .connection(let x)), .handOver(let b, .connection(let y))): a == b && x == y
        case (.handOver(let a, .slot), .handOver(let b, .slot)): a == b
        case (.close(let a), .close(let b)): a == b
        default: false
        }
    }
}
