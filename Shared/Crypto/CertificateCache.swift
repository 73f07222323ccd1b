import Synchronization

/// Parsed signer certificates by their stored PEM, so a listing of thousands of bindings does not
/// re-parse unchanged certificates (0.2–0.5 ms each). Bounded: cleared when full.
public final class CertificateCache: Sendable {
    private let entries = Mutex<[String: [Certificate]]>([:])
    private let capacity: Int

    public init(capacity: Int = 20_000) { self.capacity = capacity }

    /// The certificates in `pem` (leaf first), or nil when it does not parse.
    public func certificates(_ pem: String) -> [Certificate]? {
        if let cached = entries.withLock({ $0[pem] }) { return cached }
        guard let parsed = try? Certificate.parse(Array(pem.utf8)), !parsed.isEmpty else { return nil }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[pem] = parsed
        }
        return parsed
    }
}
