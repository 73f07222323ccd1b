import Hummingbird
import SignPeerPostgres
import SignPeerStore
import Synchronization

/// The last peer listing (`GET /peer/v1/keybindings`) this gateway forwarded, answered again
/// while nothing it shows has changed (SPEC §13: a listing then costs about what `/whoami`
/// costs). Every listing first reads the database's ``ListingVersion`` (one short query); a kept
/// answer is used only when it was fetched under that same version, at most ``maximumAge`` ago.
/// Writes move the version when they commit, so a peer always reads its own writes; what no
/// write records (an HSM that goes away, keys made by other programs) shows within
/// ``maximumAge``. The listing is the same for every peer system, so one answer is kept.
final class ListingCache: Sendable {
    private struct Kept {
        var version: Int64
        var fetched: ContinuousClock.Instant
        var answer: Forwarder.Answer
    }

    static let maximumAge = Duration.seconds(2)

    private let database: PostgresClient
    private let kept = Mutex<Kept?>(nil)

    init(database: PostgresClient) {
        self.database = database
    }

    /// The listing: the kept answer if it is current, otherwise `fetch`'s (then kept).
    func listing(_ fetch: () async throws -> Forwarder.Answer) async throws -> Response {
        let version = try await ListingVersion.current(in: database)
        let now = ContinuousClock.now
        let current = kept.withLock { kept -> Forwarder.Answer? in
            guard let kept, kept.version == version, now - kept.fetched < Self.maximumAge else { return nil }
            return kept.answer
        }
        if let current { return Forwarder.response(current) }
        let answer = try await fetch()
        kept.withLock { kept in
            // A slower fetch under an older version must not replace a newer answer.
            if kept.map({ $0.version <= version }) ?? true { kept = Kept(version: version, fetched: now, answer: answer) }
        }
        return Forwarder.response(answer)
    }
}
