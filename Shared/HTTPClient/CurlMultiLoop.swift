import CCurl
import CSignPeerShims
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the curl thread answers a waiting `execute` call. The result, not a throwing
/// continuation, so the error type stays `HTTPClientError`.
typealias ResponseContinuation = CheckedContinuation<
    Result<HTTPClientResponse, HTTPClientError>, Never
>

/// A request handed from a calling task to the curl thread.
struct TransferSubmission: Sendable {
    let id: UInt64
    let request: HTTPClientRequest
    let continuation: ResponseContinuation
}

/// `curl_global_init` must run once per process before any other libcurl call and is not
/// thread-safe; Swift runs a global's initializer exactly once, thread-safely. OpenSSL is set up
/// first without its exit handler (see `signpeer_curl_global_init`): ``HTTPClient/prepareProcess()``
/// runs this at the start of every executable, before anything else uses OpenSSL.
let curlGlobalInitialization: CURLcode = signpeer_curl_global_init()

/// Drives every transfer of one client with a `curl_multi` handle on one dedicated thread.
///
/// Calling tasks only suspend: they queue a submission under a lock and wake the thread with
/// `curl_multi_wakeup`; the thread adds, removes and completes transfers and resumes their
/// continuations. Easy handles come and go per request, while the multi handle keeps the
/// connection cache, so connections are reused across requests to the same host.
///
/// Each continuation sits in exactly one place at a time, the submission queue (guarded by
/// `state`) or the thread's table of running transfers, and whoever takes it out resumes it:
/// that makes every path (completion, cancellation, shutdown) resume exactly once.
final class CurlMultiLoop: Sendable {
    private struct State {
        /// Waiting for the curl thread to pick them up.
        var submitted: [TransferSubmission] = []
        /// IDs whose tasks were cancelled after the thread picked them up.
        var cancelled: [UInt64] = []
        var isShuttingDown = false
        /// Set by the thread before it frees the multi handle: no more wakeups after that.
        var hasExited = false
    }

    private let state = Mutex(State())
    /// Used from the curl thread, except `curl_multi_wakeup`, which libcurl allows from any
    /// thread and which is only called under `state`'s lock before `hasExited` is set, so never
    /// on a freed handle.
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private let configuration: HTTPClientConfiguration
    private let nextID = Atomic<UInt64>(0)
    private let openedConnectionCount = Atomic<Int>(0)

    init(configuration: HTTPClientConfiguration) {
        precondition(curlGlobalInitialization == CURLE_OK, "curl_global_init failed")
        guard let multi = curl_multi_init() else {
            fatalError("curl_multi_init failed: out of memory")
        }
        _ = signpeer_curl_multi_setopt_long(
            multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, configuration.maxConnectionsPerHost))
        self.multi = multi
        self.configuration = configuration
        Thread { [self] in
            Thread.current.name = "signpeer-curl"  // shows in debuggers and top
            run()
        }.start()
    }

    /// New connections opened so far; requests that reused a kept-alive one add nothing.
    var openedConnections: Int { openedConnectionCount.load(ordering: .relaxed) }

    func makeTransferID() -> UInt64 {
        nextID.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Queues a request; answers it at once if the client is shut down or the task cancelled.
    func submit(_ submission: TransferSubmission) {
        let rejection: HTTPClientError? = state.withLock { state in
            if state.isShuttingDown { return .shutdown }
            // Checked under the lock: a cancellation handler that ran before the request was
            // queued found nothing to cancel, so it must be noticed here.
            if Task.isCancelled { return .cancelled }
            state.submitted.append(submission)
            curl_multi_wakeup(multi)
            return nil
        }
        if let rejection { submission.continuation.resume(returning: .failure(rejection)) }
    }

    /// Cancels a request: answers it here if still queued, otherwise asks the thread to
    /// remove it (an ID that already completed is ignored there).
    func cancel(_ id: UInt64) {
        let queued: TransferSubmission? = state.withLock { state in
            if let index = state.submitted.firstIndex(where: { $0.id == id }) {
                return state.submitted.remove(at: index)
            }
            if !state.hasExited {
                state.cancelled.append(id)
                curl_multi_wakeup(multi)
            }
            return nil
        }
        queued?.continuation.resume(returning: .failure(.cancelled))
    }

    /// Fails queued requests now and running ones from the thread, which then exits.
    func shutdown() {
        let queued: [TransferSubmission] = state.withLock { state in
            guard !state.isShuttingDown else { return [] }
            state.isShuttingDown = true
            curl_multi_wakeup(multi)
            defer { state.submitted = [] }
            return state.submitted
        }
        for submission in queued { submission.continuation.resume(returning: .failure(.shutdown)) }
    }

    // MARK: The curl thread

    private func run() {
        ignoreSIGPIPEOnThisThread()
        var transfers: [UInt64: CurlTransfer] = [:]
        while true {
            let (submitted, cancelled, isShuttingDown) = state.withLock { state in
                defer { (state.submitted, state.cancelled) = ([], []) }
                return (state.submitted, state.cancelled, state.isShuttingDown)
            }
            if isShuttingDown {
                for submission in submitted {
                    submission.continuation.resume(returning: .failure(.shutdown))
                }
                for id in Array(transfers.keys) {
                    remove(id, from: &transfers)?.finish(.failure(.shutdown))
                }
                break
            }
            for id in cancelled { remove(id, from: &transfers)?.finish(.failure(.cancelled)) }
            for submission in submitted { start(submission, in: &transfers) }

            var running: Int32 = 0
            let performed = curl_multi_perform(multi, &running)
            completeFinishedTransfers(&transfers)
            let polled =
                performed == CURLM_OK ? curl_multi_poll(multi, nil, 0, 1000, nil) : performed
            if polled != CURLM_OK {
                // The multi handle failed (out of memory, broken wakeup pipe): fail what runs
                // now instead of leaving it hanging, and back off instead of spinning.
                let error = HTTPClientError.transport(
                    code: Int(polled.rawValue),
                    message: String(cString: curl_multi_strerror(polled)))
                for id in Array(transfers.keys) {
                    remove(id, from: &transfers)?.finish(.failure(error))
                }
                usleep(10_000)
            }
        }
        state.withLock { $0.hasExited = true }
        curl_multi_cleanup(multi)
    }

    private func start(_ submission: TransferSubmission, in transfers: inout [UInt64: CurlTransfer])
    {
        let transfer = CurlTransfer(submission, maxResponseSize: configuration.maxResponseSize)
        do {
            try transfer.configure(submission.request, configuration)
        } catch {
            return transfer.finish(.failure(error))
        }
        let added = curl_multi_add_handle(multi, transfer.easy)
        guard added == CURLM_OK else {
            let message = String(cString: curl_multi_strerror(added))
            return transfer.finish(
                .failure(.transport(code: Int(added.rawValue), message: message)))
        }
        transfers[submission.id] = transfer
    }

    private func remove(_ id: UInt64, from transfers: inout [UInt64: CurlTransfer]) -> CurlTransfer?
    {
        guard let transfer = transfers.removeValue(forKey: id) else { return nil }
        curl_multi_remove_handle(multi, transfer.easy)
        return transfer
    }

    private func completeFinishedTransfers(_ transfers: inout [UInt64: CurlTransfer]) {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE else { continue }
            // Copy out before removing the handle, which invalidates the message.
            let result = message.pointee.data.result
            var context: UnsafeMutableRawPointer?
            _ = signpeer_curl_easy_getinfo_pointer(
                message.pointee.easy_handle, CURLINFO_PRIVATE, &context)
            guard let id = context.map({ UInt64(UInt(bitPattern: $0)) }),
                let transfer = remove(id, from: &transfers)
            else { continue }
            openedConnectionCount.add(transfer.openedConnections, ordering: .relaxed)
            transfer.finish(result)
        }
    }

    /// libcurl does not ignore SIGPIPE when CURLOPT_NOSIGNAL is set, and a write to a
    /// connection the peer closed (OpenSSL writes to the socket directly) would kill the
    /// process. Blocking it on this thread turns it into an EPIPE error for this thread only.
    private func ignoreSIGPIPEOnThisThread() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }
}
