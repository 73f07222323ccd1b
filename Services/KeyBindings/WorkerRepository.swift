import Foundation
import SignPeerCore
import SignPeerPostgres
import SignPeerServiceSupport

/// All SQL about workers, properties and global configuration. Every statement is
/// parameterized; writers lock the worker row (`FOR UPDATE`) so concurrent updates serialize and
/// none is lost.
struct WorkerRepository: Sendable {
    let database: PostgresClient

    func allWorkers() async throws -> [WorkerRecord] {
        try await database.query(WorkerRecord.selectSQL + " GROUP BY w.id ORDER BY w.id").map(WorkerRecord.init(row:))
    }

    /// The workers a listing needs in one query: visible PROCESSABLE workers and every
    /// CRYPTO_WORKER (for `CRYPTOTOKEN` references).
    func listingCandidates() async throws -> [WorkerRecord] {
        try await database.query(
            WorkerRecord.selectSQL + """
                 WHERE w.type = 'CRYPTO_WORKER' OR (w.type = 'PROCESSABLE' AND EXISTS (
                    SELECT 1 FROM worker_properties v WHERE v.worker_id = w.id AND v.name = 'PEERS_VISIBLE'
                      AND lower(btrim(v.value, E' \\t\\r\\n')) = 'true'))
                 GROUP BY w.id ORDER BY w.id
                """
        ).map(WorkerRecord.init(row:))
    }

    /// A worker by id (all digits) or NAME (case-insensitive).
    func worker(_ reference: String) async throws -> WorkerRecord? {
        let sql: String
        let parameter: PostgresValue
        if let id = WorkerReference.id(reference) {
            sql = WorkerRecord.selectSQL + " WHERE w.id = $1 GROUP BY w.id"
            parameter = .int(Int64(id))
        } else {
            sql = WorkerRecord.selectSQL + " WHERE upper(w.name) = upper($1) GROUP BY w.id"
            parameter = .text(reference)
        }
        return try await database.query(sql, [parameter]).first.map(WorkerRecord.init(row:))
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
