import SignPeerCore
import SignPeerPostgres

/// Finding a worker by what a user typed — its id (all digits) or its NAME (case-insensitive) —
/// in one place, for reads and for row-locking writers alike.
public enum WorkerLookup {
    /// The `WHERE` condition on table alias `w` and its one parameter (`$1`).
    static func condition(_ reference: String) -> (sql: String, parameter: PostgresValue) {
        if let id = WorkerReference.id(reference) { return ("w.id = $1", .int(Int64(id))) }
        return ("upper(w.name) = upper($1)", .text(reference))
    }

    /// The worker, read with its properties.
    public static func record(_ reference: String, in database: PostgresClient) async throws -> WorkerRecord? {
        let (condition, parameter) = condition(reference)
        return try await database.query(WorkerRecord.selectSQL + " WHERE \(condition) GROUP BY w.id", [parameter])
            .first.map(WorkerRecord.init(row:))
    }

    /// The worker with id `id` as the caller's transaction sees it (e.g. after its own writes).
    public static func record(id: Int, on connection: PostgresConnection) async throws -> WorkerRecord? {
        try await connection.query(WorkerRecord.selectSQL + " WHERE w.id = $1 GROUP BY w.id", [.int(Int64(id))])
            .first.map(WorkerRecord.init(row:))
    }

    /// Locks the worker's row (`FOR UPDATE`) in the caller's transaction and returns its id.
    public static func lockID(_ reference: String, on connection: PostgresConnection) async throws -> Int? {
        let (condition, parameter) = condition(reference)
        return try await connection.query("SELECT w.id FROM workers w WHERE \(condition) FOR UPDATE", [parameter])
            .first?.decode(Int.self, column: "id")
    }

    /// Locks the worker's row and returns it with its properties.
    public static func lockRecord(_ reference: String, on connection: PostgresConnection) async throws -> WorkerRecord? {
        guard let id = try await lockID(reference, on: connection) else { return nil }
        return try await record(id: id, on: connection)
    }
}
