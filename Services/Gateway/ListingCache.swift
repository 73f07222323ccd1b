import Hummingbird
import SignPeerPostgres
import SignPeerStore
import Synchronization

/// The last peer listing (`GET /peer/v1/keybindings`) this gateway forwarded, answered again
/// while nothing it shows has changed (SPEC §13: a listing then costs about what `/whoami`
/// costs). A kept answer is used only while the database's ``ListingVersion`` is the one it was
/// fetched under, at most ``maximumAge`` after it was fetched, and only if no write went through
/// this gateway since its fetch began (``invalidate()``, by ``ListingInvalidation``).
///
/// The version comes from ``ListingVersionWatch`` (announced by the database at each commit that
/// moves it); while the watch is not listening, from one short query per listing. So a CA reads
/// its own writes through this gateway at once, and a write through another replica once its
/// announcement arrived (well under a millisecond on one host); what no write records (an HSM
/// that goes away, keys made by other programs) shows within ``maximumAge``. The listing is the
/// same for every peer system, so one answer is kept.
final class ListingCache: Sendable {
    private struct Kept {
        var version: Int64
        /// When its fetch began.
        var fetched: ContinuousClock.Instant
        var answer: Forwarder.Answer
    }

    private struct State {
        var kept: Kept?
        /// When a write through this gateway last ended: answers fetched before are not kept.
        var invalidated: ContinuousClock.Instant?
    }

    static let maximumAge = Duration.seconds(2)

    private let database: PostgresClient
    private let versions: ListingVersionWatch
    private let state = Mutex(State())

    init(database: PostgresClient, versions: ListingVersionWatch) {
        self.database = database
        self.versions = versions
    }

    /// The listing: the kept answer if it is current, otherwise `fetch`'s (then kept).
    func listing(_ fetch: () async throws -> Forwarder.Answer) async throws -> Response {
        let now = ContinuousClock.now
        let version: Int64
        if let heard = versions.version { version = heard } else { version = try await ListingVersion.current(in: database) }
        let current = state.withLock { state -> Forwarder.Answer? in
            guard let kept = state.kept, kept.version == version, now - kept.fetched < Self.maximumAge else { return nil }
            return kept.answer
        }
        if let current { return Forwarder.response(current) }
        let answer = try await fetch()
        state.withLock { state in
            // Not an answer that may predate a write, nor one fetched under an older version than the kept one.
            guard state.invalidated.map({ $0 < now }) ?? true, state.kept.map({ $0.version <= version }) ?? true else { return }
            state.kept = Kept(version: version, fetched: now, answer: answer)
        }
        return Forwarder.response(answer)
    }

    /// Forgets the kept answer, and any fetch under way, after a write through this gateway.
    func invalidate() {
        state.withLock { state in
            state.kept = nil
            state.invalidated = .now
        }
    }
}

/// After every request that may write (any method but GET and HEAD: peer renewals and installs,
/// EJBCA messages, admin changes), forgets the kept listing, whether it succeeded or not (a
/// request that timed out may still have committed).
struct ListingInvalidation<Context: RequestContext>: RouterMiddleware {
    let listings: ListingCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard request.method != .get, request.method != .head else { return try await next(request, context) }
        defer { listings.invalidate() }
        return try await next(request, context)
    }
}
