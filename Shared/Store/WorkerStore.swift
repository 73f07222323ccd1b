import Foundation
import SignPeerCore
import SignPeerPostgres

/// All reads of workers, properties and global configuration. Every statement is
/// parameterized; writes go through ``PropertyWriter``.
public struct WorkerStore: Sendable {
    public let database: PostgresClient

    public init(database: PostgresClient) { self.database = database }

    public func allWorkers() async throws -> [WorkerRecord] {
        try await database.query(WorkerRecord.selectSQL + " GROUP BY w.id ORDER BY w.id").map(WorkerRecord.init(row:))
    }

    /// The workers a listing needs in one query: visible PROCESSABLE workers (all, or only the one
    /// with id `only`) and every CRYPTO_WORKER (for `CRYPTOTOKEN` references). ``TokenHolders``
    /// decides which of them are listed.
    ///
    /// One row per property, grouped here, rather than one JSON object per worker: a listing of
    /// thousands of bindings then decodes plain text columns instead of running a JSON decoder per
    /// worker.
    public func listingCandidates(only id: Int? = nil) async throws -> [WorkerRecord] {
        let rows = try await database.query(
            """
            SELECT w.id, w.name, w.type, p.name AS property, p.value
            FROM workers w LEFT JOIN worker_properties p ON p.worker_id = w.id
            WHERE w.type = 'CRYPTO_WORKER' OR (w.type = 'PROCESSABLE' AND ($1::integer IS NULL OR w.id = $1)
              AND EXISTS (
                SELECT 1 FROM worker_properties v WHERE v.worker_id = w.id AND v.name = 'PEERS_VISIBLE'
                  AND lower(btrim(v.value, E' \\t\\r\\n')) = 'true'))
            ORDER BY w.id
            """, [id.map { .int(Int64($0)) } ?? .null])
        var records: [WorkerRecord] = []
        for row in rows {
            let id = try row.decode(Int.self, at: 0)
            if records.last?.id != id {
                records.append(
                    WorkerRecord(
                        id: id, name: try row.decode(String.self, at: 1),
                        type: WorkerType(rawValue: try row.decode(String.self, at: 2)) ?? .special, properties: [:]))
            }
            if let property = try row.decode(String?.self, at: 3) {
                records[records.count - 1].properties[property] = try row.decode(String.self, at: 4)
            }
        }
        return records
    }

    public func requireWorker(_ reference: String) async throws -> WorkerRecord {
        guard WorkerReference.isValid(reference), let worker = try await WorkerLookup.record(reference, in: database) else {
            throw SignPeerError.workerNotFound("No worker '\(reference.prefix(64))'.")
        }
        return worker
    }

    public func globalProperties() async throws -> [String: String] {
        var properties: [String: String] = [:]
        for row in try await database.query("SELECT name, value FROM global_properties ORDER BY name") {
            properties[try row.decode(String.self, column: "name")] = try row.decode(String.self, column: "value")
        }
        return properties
    }
}

extension WorkerRecord {
    /// Every column a record needs, properties aggregated as one JSON object per worker; append
    /// `WHERE …` and `GROUP BY w.id`.
    static let selectSQL = """
        SELECT w.id, w.name, w.type,
               coalesce(json_object_agg(p.name, p.value) FILTER (WHERE p.name IS NOT NULL), '{}')::text AS properties
        FROM workers w LEFT JOIN worker_properties p ON p.worker_id = w.id
        """

    init(row: PostgresRow) throws {
        let json = try row.decode(String.self, column: "properties")
        let properties: [String: String]
        do {
            properties = try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
        } catch {
            throw PostgresError.decoding(column: "properties", expected: "a JSON object of strings")
        }
        self.init(
            id: try row.decode(Int.self, column: "id"), name: try row.decode(String.self, column: "name"),
            type: WorkerType(rawValue: try row.decode(String.self, column: "type")) ?? .special, properties: properties)
    }
}
