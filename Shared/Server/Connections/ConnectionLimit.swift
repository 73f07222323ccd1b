import Hummingbird
import HummingbirdCore
import Logging

/// The cap on concurrent connections of one listener. At the cap the server stops accepting;
/// further clients wait in the kernel's accept backlog (and are refused when it is full). Logged
/// once each time the cap is reached, and once when the listener accepts again.
struct ConnectionLimit: AvailableConnectionsDelegate {
    let maximum: Int
    let listener: String
    let logger: Logger
    private var open = 0
    private var atLimit = false

    init(maximum: Int, listener: String, logger: Logger) {
        self.maximum = maximum
        self.listener = listener
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        if open >= maximum, !atLimit {
            atLimit = true
            logger.warning(
                "connection limit reached: not accepting new connections until one closes",
                metadata: ["listener": .string(listener), "max_connections": .stringConvertible(maximum)])
        }
    }

    mutating func connectionClosed() {
        open -= 1
        if atLimit, open < maximum {
            atLimit = false
            logger.notice(
                "below the connection limit again: accepting connections",
                metadata: ["listener": .string(listener), "open_connections": .stringConvertible(open)])
        }
    }

    func isAcceptingNewConnections() -> Bool { open < maximum }
}
