import Foundation

/// A serial executor that runs its jobs on one OS thread of its own.
///
/// libpq's synchronous API blocks the calling thread for a whole network round trip (or a whole
/// `pg_sleep`). An actor whose executor is one of these keeps those blocking calls off Swift's
/// cooperative pool, which has only as many threads as cores: see "Blocking calls stall
/// everything" in docs/ARCHITECTURE.md.
///
/// The thread is started by the first job and ends after `shutdown()` once the queue is empty. A
/// job enqueued after that still runs, on a thread that ends as soon as the queue is empty again,
/// so a late job is never lost and no thread outlives its owner.
public final class DedicatedThreadExecutor: SerialExecutor, @unchecked Sendable {
    // @unchecked Sendable: `jobs`, `threadRunning` and `shutdownRequested` are only read or
    // written while `condition` is locked; `name` is immutable.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var threadRunning = false
    private var shutdownRequested = false
    private let name: String

    /// - Parameter name: the thread's name, shown by debuggers and `top -H`.
    public init(name: String) {
        self.name = name
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        let startThread = !threadRunning
        threadRunning = true
        condition.signal()
        condition.unlock()
        if startThread {
            let thread = Thread { [self] in runJobs() }
            thread.name = name
            thread.start()
        }
    }

    /// Lets the thread end once it has run every job already enqueued. Call it when the owner is
    /// done with the executor, for example from the owning actor's `deinit`.
    public func shutdown() {
        condition.lock()
        shutdownRequested = true
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        let executor = asUnownedSerialExecutor()
        while true {
            condition.lock()
            while jobs.isEmpty && !shutdownRequested {
                condition.wait()
            }
            if jobs.isEmpty {
                threadRunning = false
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch {
                job.runSynchronously(on: executor)
            }
        }
    }
}
