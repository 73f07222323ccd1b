import Logging
import Synchronization

/// Logs a kind of refused request at most once per window, with the number of refusals the line
/// stands for, so a client hammering an internal service without its credential cannot fill the
/// log (nothing is written to the database for these).
public final class RefusalLogThrottle: Sendable {
    private struct Window {
        var opened: ContinuousClock.Instant
        var folded: Int
    }

    private let window: Duration
    private let windows = Mutex<[String: Window]>([:])

    public init(window: Duration = .seconds(60)) {
        self.window = window
    }

    /// Logs `message` for `reason` when its window is over (or it is the first), with `count`.
    public func refused(_ reason: String, _ message: Logger.Message, logger: Logger) {
        let now = ContinuousClock.now
        let count: Int? = windows.withLock { windows in
            if var current = windows[reason], now < current.opened + window {
                current.folded += 1
                windows[reason] = current
                return nil
            }
            let count = (windows[reason]?.folded ?? 0) + 1
            windows[reason] = Window(opened: now, folded: 0)
            return count
        }
        guard let count else { return }
        logger.warning(message, metadata: ["reason": .string(reason), "count": .stringConvertible(count)])
    }
}
