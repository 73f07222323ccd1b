import Foundation
import Synchronization
import SignPeerCrypto
import SignPeerPostgres
import SignPeerServer

/// This deployment's identity in the EJBCA peer protocol (SPEC §12, EJBCA-PEER-PROTOCOL.md §2.4):
/// the sourceId every answer carries, and the per-process messageId counter.
///
/// The sourceId is `SIGNPEER_PEER_SOURCE_ID` when set; otherwise it is derived from the
/// PostgreSQL cluster's system identifier and the database name, which every gateway replica of
/// one deployment shares, so EJBCA sees one node whichever replica answers.
final class EJBCAPeerNode: Sendable {
    let sourceId: Int32
    private let counter = Atomic<Int64>(0)

    init(sourceId: Int32) { self.sourceId = sourceId }

    /// 1 for the first answer after start, then counting up, like the Java side's counter.
    func nextMessageId() -> Int64 { counter.add(1, ordering: .relaxed).newValue }

    static func resolve(configured: Int32?, database: PostgresClient) async throws -> EJBCAPeerNode {
        if let configured { return EJBCAPeerNode(sourceId: configured) }
        let row: PostgresRow
        do {
            guard
                let first = try await database.query(
                    "SELECT system_identifier::text AS system_identifier, current_database() AS database FROM pg_control_system()"
                ).first
            else { throw PostgresError.columnNotFound(column: "system_identifier") }
            row = first
        } catch {
            throw ConfigurationError(
                variable: "SIGNPEER_PEER_SOURCE_ID",
                message: "not set, and the database system identifier could not be read (\(error)); set it to 0...2147483647")
        }
        return EJBCAPeerNode(
            sourceId: derive(
                systemIdentifier: try row.decode(String.self, column: "system_identifier"),
                database: try row.decode(String.self, column: "database")))
    }

    /// A stable non-negative int from the system identifier and the database name (the first four
    /// bytes of their SHA-256, top bit cleared).
    static func derive(systemIdentifier: String, database: String) -> Int32 {
        let digest = Digest.sha256.bytes(of: Array("\(systemIdentifier)/\(database)".utf8))
        let value = digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7FFF_FFFF
        return Int32(value)
    }
}
