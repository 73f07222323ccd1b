import SignPeerCore
import Testing

@testable import SignPeerGateway

/// The registry's folding of accepted requests (SPEC §4, §13): one write opens a window, the
/// window's requests are counted exactly, and no count is lost when a write is late or fails.
struct AcceptedWindowsTests {
    let peer = Principal(
        serialNumber: "1f", issuerDN: "CN=CA", subjectDN: "CN=Peer", fingerprintSHA256: "ab", roles: [.peerSystem])
    let start = ContinuousClock.now

    func fold(_ windows: inout AcceptedWindows, after offset: Duration) -> Bool {
        windows.fold(peer, issuerMatch: "CN=CA", remoteAddress: "127.0.0.1", sourceId: nil, now: start + offset)
    }

    @Test func theFirstRequestIsWrittenAndTheWindowsRestAreCounted() {
        var windows = AcceptedWindows(length: .seconds(1), capacity: 10)
        #expect(!fold(&windows, after: .zero), "the first request is written at once")
        for step in 1...5 { #expect(fold(&windows, after: .milliseconds(100 * step))) }
        #expect(windows.due(now: start + .milliseconds(900)).isEmpty, "the window has not ended")
        #expect(windows.due(now: start + .seconds(1)).map(\.count) == [5])
        #expect(windows.due(now: start + .seconds(3)).isEmpty)
        #expect(!fold(&windows, after: .seconds(4)), "after a quiet window the next request is written again")
    }

    @Test func aLateWriteLosesNoCount() {
        var windows = AcceptedWindows(length: .seconds(1), capacity: 10)
        _ = fold(&windows, after: .zero)
        for step in 1...3 { _ = fold(&windows, after: .milliseconds(200 * step)) }
        // The window ended, its write has not run yet, and a request opens the next window.
        #expect(!fold(&windows, after: .milliseconds(1500)))
        #expect(fold(&windows, after: .milliseconds(1600)))
        #expect(windows.due(now: start + .milliseconds(2600)).map(\.count) == [4], "3 from the first window, 1 from the second")
    }

    @Test func aFailedWriteIsPutBackAndAShutdownDrainsEverything() {
        var windows = AcceptedWindows(length: .seconds(1), capacity: 10)
        _ = fold(&windows, after: .zero)
        _ = fold(&windows, after: .milliseconds(10))
        let due = windows.due(now: start + .seconds(1))
        #expect(due.map(\.count) == [1])
        _ = fold(&windows, after: .milliseconds(1100))
        windows.putBack(due[0], now: start + .milliseconds(1200))
        #expect(windows.drain().map(\.count) == [2])
        #expect(windows.drain().isEmpty)
    }

    @Test func aRefusalEndsTheWindowWithWhatItHeld() {
        var windows = AcceptedWindows(length: .seconds(1), capacity: 10)
        _ = fold(&windows, after: .zero)
        _ = fold(&windows, after: .milliseconds(10))
        #expect(windows.end(serialNumber: "1f", issuerMatch: "CN=CA")?.count == 1)
        #expect(!fold(&windows, after: .milliseconds(20)), "a new window after the refusal")
    }

    @Test func beyondTheCapacityEveryRequestIsWritten() {
        var windows = AcceptedWindows(length: .seconds(1), capacity: 0)
        #expect(!fold(&windows, after: .zero))
        #expect(!fold(&windows, after: .milliseconds(10)))
        #expect(windows.drain().isEmpty)
    }
}
