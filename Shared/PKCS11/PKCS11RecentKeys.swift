import Synchronization

/// What a token's key look-ups found recently, so that the status a listing asks for does not
/// cost an HSM round trip per listing (SPEC §13): for each alias its entry (or that there is
/// none), read within `maxAge` in the current module generation. This process's own key changes
/// clear it at once; changes made by other programs (pkcs11-tool, another signer) show within
/// `maxAge`.
final class PKCS11RecentKeys: Sendable {
    private struct Known {
        var entry: PKCS11KeyEntry?
        var fetched: ContinuousClock.Instant
    }

    private struct State {
        /// Bumped by every ``clear()``: a look-up that began before it must not be remembered.
        var version = 0
        var generation = -1
        var entries: [String: Known] = [:]
    }

    private let state = Mutex(State())

    /// The entries of `aliases` (those that exist), when every alias was looked up recently.
    func lookUp(_ aliases: [String], generation: Int, maxAge: Duration) -> [PKCS11KeyEntry]? {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard state.generation == generation else { return nil }
            var found: [PKCS11KeyEntry] = []
            for alias in aliases {
                guard let known = state.entries[alias], now - known.fetched < maxAge else { return nil }
                if let entry = known.entry { found.append(entry) }
            }
            return found
        }
    }

    /// The version to hand back to ``remember(_:found:generation:version:fetched:)``.
    var version: Int { state.withLock { $0.version } }

    /// Keeps what a look-up of `aliases` that began at `fetched` found, unless the keys changed
    /// since it began.
    func remember(
        _ aliases: [String], found: [PKCS11KeyEntry], generation: Int, version: Int, fetched: ContinuousClock.Instant
    ) {
        state.withLock { state in
            guard state.version == version else { return }
            if state.generation != generation {
                state.generation = generation
                state.entries = [:]
            }
            for alias in aliases { state.entries[alias] = Known(entry: found.first { $0.alias == alias }, fetched: fetched) }
        }
    }

    func clear() {
        state.withLock { state in
            state.version += 1
            state.entries = [:]
        }
    }
}
