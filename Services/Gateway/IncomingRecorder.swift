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
    /// Requests of one certificate that are not written yet.
    struct Pending: Sendable {
        var principal: Principal
        var issuerMatch: String
        var remoteAddress: String
        var sourceId: Int32?
        var count: Int
    }

    private struct Window {
        var opened: ContinuousClock.Instant
        var pending: Pending?
    }

    private let registry: IncomingConnectionRegistry
    private let window: Duration
    private let capacity: Int
    private let logger: Logger
    /// By serial number and issuer, the registry row's key.
    private let windows = Mutex<[String: Window]>([:])

    init(registry: IncomingConnectionRegistry, window: Duration = .seconds(1), capacity: Int = 10_000, logger: Logger) {
        self.registry = registry
        self.window = window
        self.capacity = capacity
        self.logger = logger
    }

    /// Records one accepted request; false when the write found incoming connections disabled
    /// (then nothing was recorded and the request must be refused).
    func record(_ principal: Principal, issuerMatch: String, remoteAddress: String, sourceId: Int32? = nil)
        async throws -> Bool
    {
        let key = Self.key(principal.serialNumber, issuerMatch)
        let now = ContinuousClock.now
        // The window opens before the first write, so the requests that arrive while it is
        // written (a CA opening several connections at once) are folded too.
        let folded = windows.withLock { windows in
            guard var current = windows[key], now < current.opened + window else {
                if windows.count < capacity { windows[key] = Window(opened: now, pending: nil) }
                return false
            }
            var pending = current.pending ?? Pending(
                principal: principal, issuerMatch: issuerMatch, remoteAddress: remoteAddress, sourceId: sourceId, count: 0)
            pending.principal = principal
            pending.remoteAddress = remoteAddress
            pending.sourceId = sourceId ?? pending.sourceId
            pending.count += 1
            current.pending = pending
            windows[key] = current
            return true
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
        windows.withLock { $0.removeValue(forKey: Self.key(principal.serialNumber, issuerMatch))?.pending }
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
                await self.writeAll(self.due())
            }
        }
        let pending = windows.withLock { windows in
            defer { windows.removeAll() }
            return windows.values.compactMap(\.pending)
        }
        // In a task of its own: a shutdown that escalated to cancellation must not cancel the
        // last writes (a cancelled task gets no database connection).
        await Task { await writeAll(pending) }.value
    }

    /// The pending requests of windows that ended (each opens a new window); ended windows with
    /// nothing pending are forgotten, so the next request of that certificate is written at once.
    private func due() -> [Pending] {
        let now = ContinuousClock.now
        return windows.withLock { windows in
            var due: [Pending] = []
            for (key, current) in windows where now >= current.opened + window {
                if let pending = current.pending {
                    due.append(pending)
                    windows[key] = Window(opened: now, pending: nil)
                } else {
                    windows[key] = nil
                }
            }
            return due
        }
    }

    private func writeAll(_ due: [Pending]) async {
        for pending in due {
            do { try await write(pending) } catch {
                logger.warning(
                    "accepted peer requests not recorded yet",
                    metadata: ["count": .stringConvertible(pending.count), "error": .string(String(describing: error))])
                putBack(pending)
            }
        }
    }

    /// A write that failed: its count goes into the certificate's window again, for the next write.
    private func putBack(_ unwritten: Pending) {
        let key = Self.key(unwritten.principal.serialNumber, unwritten.issuerMatch)
        windows.withLock { windows in
            var current = windows[key] ?? Window(opened: .now, pending: nil)
            var pending = current.pending ?? unwritten
            if current.pending != nil { pending.count += unwritten.count }
            current.pending = pending
            windows[key] = current
        }
    }

    private static func key(_ serialNumber: String, _ issuerMatch: String) -> String { serialNumber + "\n" + issuerMatch }
}
