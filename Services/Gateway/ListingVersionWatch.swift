import Logging
import ServiceLifecycle
import SignPeerPostgres
import SignPeerStore
import Synchronization

/// The database's ``ListingVersion`` as announced on its channel (migration 60), so that
/// ``ListingCache`` checks a kept listing against memory instead of asking the database on every
/// listing. It listens on a session of its own; while that session is down (or not yet up),
/// ``version`` is nil and each listing asks the database as before.
final class ListingVersionWatch: Service, Sendable {
    private let configuration: PostgresConfiguration
    private let logger: Logger
    private let heard = Mutex<Int64?>(nil)
    /// How long one wait for notifications lasts: what a graceful stop waits at most.
    static let wait = Duration.milliseconds(500)
    static let retryDelay = Duration.seconds(1)

    init(configuration: PostgresConfiguration, logger: Logger) {
        var configuration = configuration
        configuration.applicationName = Self.applicationName
        self.configuration = configuration
        self.logger = logger
    }

    /// Its session's name in `pg_stat_activity`.
    static let applicationName = "signpeer-gateway listing versions"

    /// The version, when this gateway is listening for it.
    var version: Int64? { heard.withLock { $0 } }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.listen()
                } catch {
                    self.heard.withLock { $0 = nil }
                    self.logger.warning(
                        "listing versions: not listening, each listing asks the database",
                        metadata: ["error": .string("\(error)")])
                }
                try? await Task.sleep(for: Self.retryDelay)
            }
        }
    }

    /// Listens until the session fails or the task is cancelled.
    private func listen() async throws {
        let session = try await PostgresConnection.connect(configuration, logger: logger)
        do {
            try await follow(session)
        } catch {
            await session.close()
            throw error
        }
        await session.close()
    }

    private func follow(_ session: PostgresConnection) async throws {
        try await session.execute("LISTEN \(ListingVersion.channel)")
        // Read after LISTEN: a move between the two is announced as well as read.
        let current = try await session.query("SELECT version FROM listing_version").first?.decode(Int64.self, at: 0) ?? 0
        hear(current)
        logger.info("listing versions: listening", metadata: ["version": "\(current)"])
        while !Task.isCancelled {
            for notification in try await session.notifications(waitingUpTo: Self.wait)
            where notification.channel == ListingVersion.channel {
                if let version = Int64(notification.payload) { hear(version) }
            }
        }
        heard.withLock { $0 = nil }
    }

    /// Versions only move forward; a late announcement never sets one back.
    private func hear(_ version: Int64) {
        heard.withLock { $0 = max($0 ?? version, version) }
    }
}
