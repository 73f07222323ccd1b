import SignPeerCore

/// Folds refused requests per client certificate and reason into at most one write per window
/// (SPEC §11 "Floods"): the first refusal is written at once, later ones in the same window only
/// add to a count that the next write carries, so a refused client that keeps calling costs a
/// dictionary look-up per request and one registry/audit write per window.
///
/// A request the same certificate gets accepted with ends its windows, so a peer that is
/// authorized and later refused again is recorded at once.
actor RefusalLedger {
    /// One refusal to write, standing for `count` refused requests.
    struct Refusal: Sendable {
        var reason: SignPeerError.Code
        var principal: Principal
        var issuerMatch: String
        var path: String
        var remoteAddress: String
        /// The front door: `json` (`/peer/v1`) or `ejbca` (`/signserver/peer/v1`).
        var peerProtocol = "json"
        /// The sourceId of an EJBCA peer-protocol frame, for the registry row.
        var sourceId: Int32?
        var count = 1
    }

    private struct Window {
        var opened: ContinuousClock.Instant
        /// The latest refusal folded into this window, with the number folded.
        var pending: Refusal?
    }

    private let window: Duration
    private let capacity: Int
    /// By certificate fingerprint, then reason.
    private var windows: [String: [SignPeerError.Code: Window]] = [:]

    init(window: Duration, capacity: Int = 10_000) {
        self.window = window
        self.capacity = capacity
    }

    /// Counts `refusal`; returns what to write now, or nil when it was folded into a window.
    func refused(_ refusal: Refusal) -> Refusal? {
        let now = ContinuousClock.now
        let fingerprint = refusal.principal.fingerprintSHA256
        if var current = windows[fingerprint]?[refusal.reason], now < current.opened + window {
            var pending = refusal
            pending.count = (current.pending?.count ?? 0) + 1
            current.pending = pending
            windows[fingerprint]?[refusal.reason] = current
            return nil
        }
        // A new window: this write also carries what the previous one still held.
        var write = refusal
        write.count = (windows[fingerprint]?[refusal.reason]?.pending?.count ?? 0) + 1
        if windows[fingerprint] == nil, windows.count >= capacity { windows.removeAll(keepingCapacity: true) }
        windows[fingerprint, default: [:]][refusal.reason] = Window(opened: now, pending: nil)
        return write
    }

    /// A write that failed: its count goes back into the window, for the next write.
    func unwritten(_ refusal: Refusal) {
        let fingerprint = refusal.principal.fingerprintSHA256
        var current = windows[fingerprint]?[refusal.reason] ?? Window(opened: .now, pending: nil)
        var pending = refusal
        pending.count += current.pending?.count ?? 0
        current.pending = pending
        windows[fingerprint, default: [:]][refusal.reason] = current
    }

    /// Refusals whose window is over and that still hold a count (a new window opens for each);
    /// windows over with nothing pending are forgotten.
    func due() -> [Refusal] {
        let now = ContinuousClock.now
        var writes: [Refusal] = []
        for (fingerprint, reasons) in windows {
            for (reason, current) in reasons where now >= current.opened + window {
                if let pending = current.pending {
                    writes.append(pending)
                    windows[fingerprint]?[reason] = Window(opened: now, pending: nil)
                } else {
                    windows[fingerprint]?[reason] = nil
                }
            }
            if windows[fingerprint]?.isEmpty == true { windows[fingerprint] = nil }
        }
        return writes
    }

    /// Everything still pending (at shutdown).
    func drain() -> [Refusal] {
        defer { windows.removeAll() }
        return windows.values.flatMap { $0.values.compactMap(\.pending) }
    }

    /// A request of this certificate was accepted: its windows end; returns the refusals still
    /// pending, to write before the accepted request is recorded.
    func accepted(fingerprint: String) -> [Refusal] {
        guard let reasons = windows.removeValue(forKey: fingerprint) else { return [] }
        return reasons.values.compactMap(\.pending)
    }
}
