import Foundation
import SignPeerCore
import SignPeerPostgres

/// All SQL about workers, properties and global configuration. Every statement is
/// parameterized; writers lock the worker row (`FOR UPDATE`) so concurrent updates serialize and
/// none is lost.
struct WorkerRepository: Sendable {
    let database: PostgresClient

    /// Every column a ``WorkerRecord`` needs, properties aggregated as one JSON object per worker.
    static let selectWorkers = """
        SELECT w.id, w.name, w.type,
               coalesce(json_object_agg(p.name, p.value) FILTER (WHERE p.name IS NOT NULL), '{}')::text AS properties
        FROM workers w LEFT JOIN worker_properties p ON p.worker_id = w.id
        """

    static func record(from row: PostgresRow) throws -> WorkerRecord {
        let json = try row.decode(String.self, column: "properties")
        let properties = (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
        let typeName = try row.decode(String.self, column: "type")
        return WorkerRecord(
            id: try row.decode(Int.self, column: "id"), name: try row.decode(String.self, column: "name"),
            type: WorkerType(rawValue: typeName) ?? .special, properties: properties)
    }

    func allWorkers() async throws -> [WorkerRecord] {
        try await database.query(Self.selectWorkers + " GROUP BY w.id ORDER BY w.id").map(Self.record)
    }

    /// The workers a listing needs in one query: visible PROCESSABLE workers and every
    /// CRYPTO_WORKER (for `CRYPTOTOKEN` references).
    func listingCandidates() async throws -> [WorkerRecord] {
        try await database.query(
            Self.selectWorkers + """
                 WHERE w.type = 'CRYPTO_WORKER' OR (w.type = 'PROCESSABLE' AND EXISTS (
                    SELECT 1 FROM worker_properties v WHERE v.worker_id = w.id AND v.name = 'PEERS_VISIBLE'
                      AND lower(btrim(v.value, E' \\t\\r\\n')) = 'true'))
                 GROUP BY w.id ORDER BY w.id
                """
        ).map(Self.record)
    }

    /// A worker by id (all digits) or NAME (case-insensitive).
    func worker(_ reference: String) async throws -> WorkerRecord? {
        let sql: String
        let parameter: PostgresValue
        if let id = WorkerReference.id(reference) {
            sql = Self.selectWorkers + " WHERE w.id = $1 GROUP BY w.id"
            parameter = .int(Int64(id))
        } else {
            sql = Self.selectWorkers + " WHERE upper(w.name) = upper($1) GROUP BY w.id"
            parameter = .text(reference)
        }
        return try await database.query(sql, [parameter]).first.map(Self.record)
    }

    func requireWorker(_ reference: String) async throws -> WorkerRecord {
        guard WorkerReference.isValid(reference), let worker = try await worker(reference) else {
            throw SignPeerError(.workerNotFound, "No worker '\(reference.prefix(64))'.", status: 404)
        }
        return worker
    }

    func globalProperties() async throws -> [String: String] {
        var properties: [String: String] = [:]
        for row in try await database.query("SELECT name, value FROM global_properties ORDER BY name") {
            properties[try row.decode(String.self, column: "name")] = try row.decode(String.self, column: "value")
        }
        return properties
    }
}
