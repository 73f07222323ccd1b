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

    /// The workers a listing needs in one query: visible PROCESSABLE workers (all, or only the one
    /// with id `only`) and every CRYPTO_WORKER (for `CRYPTOTOKEN` references).
    func listingCandidates(only id: Int? = nil) async throws -> [WorkerRecord] {
        try await database.query(
            WorkerRecord.selectSQL + """
                 WHERE w.type = 'CRYPTO_WORKER' OR (w.type = 'PROCESSABLE' AND ($1::integer IS NULL OR w.id = $1)
                   AND EXISTS (
                    SELECT 1 FROM worker_properties v WHERE v.worker_id = w.id AND v.name = 'PEERS_VISIBLE'
                      AND lower(btrim(v.value, E' \\t\\r\\n')) = 'true'))
                 GROUP BY w.id ORDER BY w.id
                """, [id.map { .int(Int64($0)) } ?? .null]
        ).map(WorkerRecord.init(row:))
    }

    func requireWorker(_ reference: String) async throws -> WorkerRecord {
        guard WorkerReference.isValid(reference), let worker = try await WorkerLookup.record(reference, in: database) else {
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
