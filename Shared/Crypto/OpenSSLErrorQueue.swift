import COpenSSL
import SignPeerCore

/// OpenSSL reports failures on a per-thread queue; leaving entries there would make an unrelated
/// later call on the same thread look failed, so every failure path drains it.
enum OpenSSLErrorQueue {
    /// Empties the calling thread's queue and returns the reason of its first (root-cause) entry.
    static func drain() -> String? {
        let first = ERR_get_error()
        ERR_clear_error()
        guard first != 0, let reason = ERR_reason_error_string(first) else { return nil }
        return String(cString: reason)
    }
}

/// An `.internalError` (500) for an OpenSSL operation that only fails on a bug or lack of
/// memory, with OpenSSL's first queued reason appended; drains the queue. OpenSSL's reasons name
/// what failed, never key material.
func openSSLFailure(_ message: String) -> SignPeerError {
    let reason = OpenSSLErrorQueue.drain()
    return SignPeerError.internalError(reason.map { "\(message) (\($0))" } ?? message)
}
