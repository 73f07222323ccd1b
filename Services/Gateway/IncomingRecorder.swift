import Logging
import ServiceLifecycle
import SignPeerCore
import SignPeerStore
import Synchronization

/// Records accepted peer requests in the incoming-connection registry (SPEC §4) without a
/// database round trip per request (SPEC §13).
///
/// A certificate's first accepted request opens a window of one second and is written before it
/// is forwarded, in the statement that also re-checks `PEERS_INCOMING_ENABLED`; the window's
/// later requests only add to a pending count (with the latest remote address and sourceId),
/// which this service writes when the window ends and at shutdown, opening the next window. So a
/// busy peer costs one registry write per second, request counts stay exact across gateway
/// replicas (each adds its own), last-seen lags by at most a window, and a crash of the gateway
/// loses at most one window's counts.
///
/// A refusal of the same certificate ends its window first (``endWindow(of:)``), so the registry
/// row's "authorized" follows the order of the requests.
final class IncomingRecorder: Service, Sendable {
    typealias Pending = AcceptedWindows.Pending

    private let registry: IncomingConnectionRegistry
    private let window: Duration
    private let logger: Logger
    private let windows: Mutex<AcceptedWindows>

    init(registry: IncomingConnectionRegistry, window: Duration = .seconds(1), capacity: Int = 10_000, logger: Logger) {
        self.registry = registry
        self.window = window
        self.logger = logger
        windows = Mutex(AcceptedWindows(length: window, capacity: capacity))
    }

    /// Records one accepted request; false when the write found incoming connections disabled
    /// (then nothing was recorded and the request must be refused).
    func record(_ principal: Principal, issuerMatch: String, remoteAddress: String, sourceId: Int32? = nil)
        async throws -> Bool
    {
        // The window opens before the first write, so the requests that arrive while it is
        // written (a CA opening several connections at once) are folded too.
        let now = ContinuousClock.now
        let folded = windows.withLock {
            $0.fold(principal, issuerMatch: issuerMatch, remoteAddress: remoteAddress, sourceId: sourceId, now: now)
        }
        if folded { return true }
        guard
            try await registry.recordIfIncomingEnabled(
                principal, issuerMatch: issuerMatch, remoteAddress: remoteAddress, sourceId: sourceId)
        else {
            _ = endWindow(of: principal, issuerMatch: issuerMatch)
            return false
        }
        return true
    }

    /// Ends the window of a certificate that is being refused, answering what it still held (to be
    /// written before the refusal).
    func endWindow(of principal: Principal, issuerMatch: String) -> Pending? {
        windows.withLock { $0.end(serialNumber: principal.serialNumber, issuerMatch: issuerMatch) }
    }

    /// Writes `pending` (a window's folded requests).
    func write(_ pending: Pending) async throws {
        try await registry.recordAccepted(
            pending.principal, issuerMatch: pending.issuerMatch, remoteAddress: pending.remoteAddress,
            count: pending.count, sourceId: pending.sourceId)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.window)
                let now = ContinuousClock.now
                await self.writeAll(self.windows.withLock { $0.due(now: now) })
            }
        }
        let pending = windows.withLock { $0.drain() }
        // In a task of its own: a shutdown that escalated to cancellation must not cancel the
        // last writes (a cancelled task gets no database connection).
        await Task { await writeAll(pending) }.value
    }

    private func writeAll(_ due: [Pending]) async {
        for pending in due {
            do { try await write(pending) } catch {
                logger.warning(
                    "accepted peer requests not recorded yet",
                    metadata: ["count": .stringConvertible(pending.count), "error": .string(String(describing: error))])
                let now = ContinuousClock.now
                windows.withLock { $0.putBack(pending, now: now) }
            }
        }
    }
}
