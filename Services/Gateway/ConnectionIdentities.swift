import NIOCore
import Synchronization

/// The parsed client identity of each open TLS connection, so that a kept-alive connection asks
/// the TLS handler for its peer certificate (a hop to the channel's event loop), encodes it and
/// looks it up by its DER once, not on every request.
///
/// The identity of a connection cannot change: the certificate is fixed by its handshake (the
/// server never renegotiates). Entries hold the channel weakly and are checked by identity, so
/// a new channel that happens to reuse a closed one's address never sees its identity; each
/// entry is removed when its channel closes.
final class ConnectionIdentities: Sendable {
    private struct Entry {
        weak var channel: (any Channel)?
        var identity: ClientIdentity
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    func identity(of channel: any Channel) -> ClientIdentity? {
        entries.withLock { entries in
            guard let entry = entries[ObjectIdentifier(channel)], entry.channel === channel else { return nil }
            return entry.identity
        }
    }

    func remember(_ identity: ClientIdentity, of channel: any Channel) {
        let key = ObjectIdentifier(channel)
        entries.withLock { $0[key] = Entry(channel: channel, identity: identity) }
        channel.closeFuture.whenComplete { [weak self, weak channel] _ in
            self?.entries.withLock { entries in
                // Only this channel's entry, or one whose channel is gone.
                if let entry = entries[key], entry.channel == nil || entry.channel === channel {
                    entries[key] = nil
                }
            }
        }
    }

    /// Open connections with a cached identity (for tests).
    var count: Int { entries.withLock { $0.count } }
}
