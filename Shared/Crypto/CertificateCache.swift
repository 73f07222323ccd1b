import SignPeerCore

/// Parsed signer certificates by their stored PEM, so a listing of thousands of bindings does not
/// re-parse unchanged certificates (0.2–0.5 ms each). Bounded (``BoundedCache``).
public final class CertificateCache: Sendable {
    private let entries: BoundedCache<String, [Certificate]>

    public init(capacity: Int = 20_000) { entries = BoundedCache(capacity: capacity) }

    /// The certificates in `pem` (leaf first), or nil when it does not parse (a stored value that
    /// does not parse was refused when it was written; nothing is cached for it).
    public func certificates(_ pem: String) -> [Certificate]? {
        if let cached = entries[pem] { return cached }
        guard let parsed = try? Certificate.parse(Array(pem.utf8)), !parsed.isEmpty else { return nil }
        entries.set(parsed, for: pem)
        return parsed
    }
}
