import SignPeerCore

/// The bookkeeping of ``IncomingRecorder``, as a value: per registry row (serial number and
/// issuer), a window of `length` that folds a certificate's accepted requests into one pending
/// count. A pure type, so its rules are tested without a database.
struct AcceptedWindows {
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

    let length: Duration
    let capacity: Int
    private var windows: [String: Window] = [:]

    init(length: Duration, capacity: Int) {
        self.length = length
        self.capacity = capacity
    }

    /// Counts one accepted request: true when it was folded into an open window; false when it
    /// opened a window (or none was left to open) and must be written now. What an ended window
    /// still holds, because its write is late, moves into the new window.
    mutating func fold(
        _ principal: Principal, issuerMatch: String, remoteAddress: String, sourceId: Int32?, now: ContinuousClock.Instant
    ) -> Bool {
        let key = Self.key(principal.serialNumber, issuerMatch)
        guard var current = windows[key], now < current.opened + length else {
            if windows[key] != nil || windows.count < capacity {
                windows[key] = Window(opened: now, pending: windows[key]?.pending)
            }
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

    /// Ends a certificate's window (it is being refused, or its first write found incoming
    /// connections off), answering what it still held.
    mutating func end(serialNumber: String, issuerMatch: String) -> Pending? {
        windows.removeValue(forKey: Self.key(serialNumber, issuerMatch))?.pending
    }

    /// The pending requests of windows that ended; each opens a new window. Ended windows with
    /// nothing pending are forgotten, so the next request of that certificate is written at once.
    mutating func due(now: ContinuousClock.Instant) -> [Pending] {
        var due: [Pending] = []
        for (key, current) in windows where now >= current.opened + length {
            if let pending = current.pending {
                due.append(pending)
                windows[key] = Window(opened: now, pending: nil)
            } else {
                windows[key] = nil
            }
        }
        return due
    }

    /// Everything still pending, and no windows left (at shutdown).
    mutating func drain() -> [Pending] {
        defer { windows.removeAll() }
        return windows.values.compactMap(\.pending)
    }

    /// A write that failed: its count goes into the certificate's window again, for the next write.
    mutating func putBack(_ unwritten: Pending, now: ContinuousClock.Instant) {
        let key = Self.key(unwritten.principal.serialNumber, unwritten.issuerMatch)
        var current = windows[key] ?? Window(opened: now, pending: nil)
        var pending = current.pending ?? unwritten
        if current.pending != nil { pending.count += unwritten.count }
        current.pending = pending
        windows[key] = current
    }

    private static func key(_ serialNumber: String, _ issuerMatch: String) -> String { serialNumber + "\n" + issuerMatch }
}
