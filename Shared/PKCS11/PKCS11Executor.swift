import Foundation
import SignPeerCore

/// The threads that make a module's PKCS#11 calls: they block (a token write is ~10 ms, RSA-16384
/// generation minutes, a hung HSM forever), so they never run on Swift's cooperative pool.
///
/// One executor per module, so a hung HSM holds only its own threads and never delays another
/// module or the OpenSSL work of the crypto pool. The caller of ``run(timeout:_:)`` waits at most
/// `timeout` (SPEC §6.1): after that it gets a 503 while a stuck call keeps its thread, and work
/// still queued for it is dropped.
public final class PKCS11Executor: @unchecked Sendable {
    // @unchecked Sendable: `jobs`, `threads`, `idle` are only used while `condition` is locked.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var threads = 0
    private var idle = 0
    private let maximumThreads: Int
    private let name: String

    public init(name: String, maximumThreads: Int) {
        self.name = name
        self.maximumThreads = max(1, maximumThreads)
    }

    private static let threadKey = "signpeer.PKCS11Executor"

    /// The executor name when the caller runs on one of its threads (lets tests prove where the
    /// PKCS#11 calls ran), nil elsewhere.
    public static var currentName: String? { Thread.current.threadDictionary[threadKey] as? String }

    /// Runs `work` on an executor thread. Throws ``SignPeerError`` 503 `service_unavailable` when
    /// it has not finished within `timeout`.
    public func run<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        let once = ResumeOnce<T>()
        return try await withCheckedThrowingContinuation { continuation in
            once.set(continuation)
            enqueue {
                // A caller that timed out has answered 503: its work must not run late (a key
                // generated then would belong to nobody), nor delay the calls queued behind it.
                guard !once.isFinished else { return }
                once.resume(with: Result { try work() })
            }
            let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds))) {
                once.resume(with: .failure(SignPeerError.pkcs11TimedOut(after: timeout)))
            }
        }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        let start = jobs.count > idle && threads < maximumThreads
        if start { threads += 1 }
        condition.signal()
        condition.unlock()
        guard start else { return }
        Thread { [self] in
            Thread.current.name = name
            Thread.current.threadDictionary[Self.threadKey] = name
            while true {
                condition.lock()
                idle += 1
                while jobs.isEmpty { condition.wait() }
                idle -= 1
                let job = jobs.removeFirst()
                condition.unlock()
                job()
            }
        }.start()
    }
}

/// Resumes a continuation exactly once: with the work's result or with the timeout, whichever
/// comes first.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: both fields are only used under `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var result: Result<T, any Error>?

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        lock.withLock {
            if let result { continuation.resume(with: result) } else { self.continuation = continuation }
        }
    }

    /// Whether the caller has its answer (the work's result or the timeout).
    var isFinished: Bool { lock.withLock { result != nil } }

    func resume(with result: Result<T, any Error>) {
        lock.withLock {
            if let continuation {
                self.continuation = nil
                self.result = result
                continuation.resume(with: result)
            } else if self.result == nil {
                self.result = result
            }
        }
    }
}
