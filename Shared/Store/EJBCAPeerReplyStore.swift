import Foundation
import Synchronization
import SignPeerCore
import SignPeerPostgres

/// Makes EJBCA's retries idempotent (SPEC §12): EJBCA re-sends a request byte for byte after a
/// failure or its 20 s read timeout, so a request with the same (client certificate, sourceId,
/// messageId) within ten minutes gets the stored first answer instead of a second key or a
/// second install.
///
/// The rows live in PostgreSQL so every gateway replica sees them. The first request inserts a
/// `pending` row (the primary key makes that a race with exactly one winner), runs the
/// operation and stores the answer; a duplicate that finds the row pending polls until the answer
/// is there. A pending row whose owner died (no answer after ``pendingLease``) is taken over.
///
/// EJBCA's messageId counter restarts with EJBCA, so an old key can come back as a new message:
/// with *different* bytes, or with the same bytes once the binding has moved on (a PREPARE_RENEWAL
/// for one binding is always the same bytes). So an answer is replayed only while the worker's
/// version is the one the answer left behind; a genuine retry arrives before anything else
/// touched the binding, a restarted EJBCA's request after. Either way the old row is replaced.
public final class EJBCAPeerReplyStore: Sendable {
    public struct Key: Sendable, Hashable {
        public var clientFingerprint: String
        public var sourceId: Int32
        public var messageId: Int64

        public init(clientFingerprint: String, sourceId: Int32, messageId: Int64) {
            self.clientFingerprint = clientFingerprint
            self.sourceId = sourceId
            self.messageId = messageId
        }
    }

    public enum Claim: Sendable, Equatable {
        /// Run the operation, then ``complete(_:reply:workerID:)`` or ``abandon(_:)``.
        case owner
        /// The first answer, to be sent again unchanged.
        case stored([UInt8])
    }

    let database: PostgresClient
    /// How long an answer is kept and replayed (SPEC §12: ten minutes).
    let window: Duration = .seconds(600)
    /// After this long without an answer, a pending row's owner is presumed dead.
    let pendingLease: Duration = .seconds(120)
    let pollInterval: Duration = .milliseconds(100)
    /// How long a duplicate waits for the first request's answer before answering 503.
    let waitLimit: Duration = .seconds(60)
    private let lastExpiry = Mutex<ContinuousClock.Instant?>(nil)

    public init(database: PostgresClient) { self.database = database }

    public func claim(_ key: Key, requestSHA256: String) async throws -> Claim {
        expireOldRowsIfDue()
        let deadline = ContinuousClock.now + waitLimit
        while true {
            let inserted = try await database.query(
                """
                INSERT INTO ejbca_peer_replies (client_fingerprint, source_id, message_id, request_sha256, state)
                VALUES ($1, $2, $3, $4, 'pending')
                ON CONFLICT DO NOTHING RETURNING 1
                """, parameters(key) + [.text(requestSHA256)])
            if !inserted.isEmpty { return .owner }
            let rows = try await database.query(
                """
                SELECT state, reply, request_sha256,
                       created_at > now() - make_interval(secs => $4) AS fresh,
                       created_at < now() - make_interval(secs => $5) AS lease_expired,
                       worker_version IS NOT DISTINCT FROM (SELECT version FROM workers WHERE id = r.worker_id)
                           AS binding_unchanged
                FROM ejbca_peer_replies r
                WHERE client_fingerprint = $1 AND source_id = $2 AND message_id = $3
                """, parameters(key) + [.int(window.seconds), .int(pendingLease.seconds)])
            guard let row = rows.first else { continue }  // deleted meanwhile: try to insert again
            let done = try row.decode(String.self, column: "state") == "done"
            let sameRequest = try row.decode(String.self, column: "request_sha256") == requestSHA256
            let fresh = try row.decode(Bool.self, column: "fresh")
            let leaseExpired = try row.decode(Bool.self, column: "lease_expired")
            let unchanged = try row.decode(Bool.self, column: "binding_unchanged")
            if done, sameRequest, fresh, unchanged, let reply = try row.decode([UInt8]?.self, column: "reply") {
                return .stored(reply)
            }
            if done || !fresh || leaseExpired {
                // An answer to another message or to an outdated state, an expired one, or an
                // owner that died: replace it.
                try await database.execute(
                    """
                    DELETE FROM ejbca_peer_replies
                    WHERE client_fingerprint = $1 AND source_id = $2 AND message_id = $3 AND request_sha256 = $4
                      AND state = $5
                    """, parameters(key) + [.text(try row.decode(String.self, column: "request_sha256")),
                                            .text(done ? "done" : "pending")])
                continue
            }
            guard ContinuousClock.now < deadline else {
                throw SignPeerError.serviceUnavailable("The first copy of this request is still being processed.")
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Stores the answer of the request this process owns, with the version the operation left
    /// the worker `workerID` at.
    public func complete(_ key: Key, reply: [UInt8], workerID: Int) async throws {
        try await database.execute(
            """
            UPDATE ejbca_peer_replies
            SET state = 'done', reply = $4, worker_id = $5, worker_version = (SELECT version FROM workers WHERE id = $5)
            WHERE client_fingerprint = $1 AND source_id = $2 AND message_id = $3 AND state = 'pending'
            """, parameters(key) + [.bytes(reply), .int(Int64(workerID))])
    }

    /// Gives up an owned request that ended without an answer to keep (a transient failure), so
    /// EJBCA's retry runs it again.
    public func abandon(_ key: Key) async {
        _ = try? await database.execute(
            """
            DELETE FROM ejbca_peer_replies
            WHERE client_fingerprint = $1 AND source_id = $2 AND message_id = $3 AND state = 'pending'
            """, parameters(key))
    }

    private func parameters(_ key: Key) -> [PostgresValue] {
        [.text(key.clientFingerprint), .int(Int64(key.sourceId)), .int(key.messageId)]
    }

    /// Deletes rows older than the window, at most once a minute per process, in the background.
    private func expireOldRowsIfDue() {
        let now = ContinuousClock.now
        let due = lastExpiry.withLock { last in
            guard last.map({ now - $0 >= .seconds(60) }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        let database = database, window = window
        Task {
            _ = try? await database.execute(
                "DELETE FROM ejbca_peer_replies WHERE created_at < now() - make_interval(secs => $1)",
                [.int(window.seconds)])
        }
    }
}

extension Duration {
    /// Whole seconds, for SQL intervals.
    fileprivate var seconds: Int64 { components.seconds }
}
