import Foundation

/// Runs blocking work (initdb, pg_ctl, createdb — or the first use of the shared cluster, which
/// starts it) on a thread of its own and awaits it, so it never holds one of the cooperative
/// pool's few threads that every suite of the test process shares.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// The cluster shared by every test of the process, awaited: its first use starts it.
public func sharedPostgres() async throws -> TemporaryPostgres {
    try await onOwnThread { try TemporaryPostgres.shared }
}
