import Foundation

/// A bounded set of dedicated OS threads for CPU-heavy, blocking OpenSSL work (key generation,
/// PKCS#12 key derivation) that must not run on Swift's cooperative pool.
///
/// The cooperative pool has one thread per core, so a single RSA-4096 generation in a handler
/// delays every other request for seconds (ARCHITECTURE.md, "Blocking calls stall everything").
/// Work given to ``run(_:)`` waits in a FIFO queue for one of at most `maximumThreads` threads;
/// the awaiting task is suspended meanwhile and resumed through a continuation. Threads start on
/// demand and live as long as the process. Work that has started is never cancelled.
public final class DedicatedThreadPool: @unchecked Sendable {
    // @unchecked Sendable: `jobs`, `threads` and `idleThreads` are only read or written while
    // `condition` is locked; `maximumThreads` and `name` are immutable.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var threads = 0
    private var idleThreads = 0
    private let maximumThreads: Int
    private let name: String

    /// The pool for cryptographic work, one thread per active processor core.
    public static let crypto = DedicatedThreadPool(
        name: "signpeer-crypto", maximumThreads: ProcessInfo.processInfo.activeProcessorCount)

    /// - Parameters:
    ///   - name: the threads' name, shown by debuggers and `top -H`.
    ///   - maximumThreads: how many jobs may run at once (at least 1).
    public init(name: String, maximumThreads: Int) {
        self.name = name
        self.maximumThreads = max(1, maximumThreads)
    }

    /// Runs `work` on one of the pool's threads and returns its result.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue { continuation.resume(with: Result { try work() }) }
        }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        // Each idle thread takes one queued job; start another thread for the rest, if allowed.
        let startThread = jobs.count > idleThreads && threads < maximumThreads
        if startThread { threads += 1 }
        condition.signal()
        condition.unlock()
        if startThread {
            // Named from inside: on Linux a name set before `start()` never reaches the thread.
            Thread { [self] in
                Thread.current.name = name
                Thread.current.threadDictionary[Self.poolKey] = name
                runJobs()
            }.start()
        }
    }

    private static let poolKey = "signpeer.DedicatedThreadPool"

    /// The name of the pool whose thread runs the caller, or nil on any other thread (the
    /// cooperative pool included). Lets tests prove where work ran.
    public static var currentPoolName: String? {
        Thread.current.threadDictionary[poolKey] as? String
    }

    private func runJobs() {
        while true {
            condition.lock()
            idleThreads += 1
            while jobs.isEmpty {
                condition.wait()
            }
            idleThreads -= 1
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
