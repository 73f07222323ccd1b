import SignPeerCore
import SignPeerPostgres
import SignPeerServiceSupport

/// A worker together with the worker that holds its crypto token (itself, or its `CRYPTOTOKEN`
/// worker), read inside a transaction with both rows locked (`FOR UPDATE`, worker first), so two
/// renewals or installs of one binding — or two key changes in one shared token — serialize.
struct TokenWorkers: Sendable {
    var worker: WorkerRecord
    var holder: WorkerRecord
    var kind: TokenKind

    static func lock(_ reference: String, on connection: PostgresConnection) async throws -> TokenWorkers {
        guard WorkerReference.isValid(reference), let worker = try await WorkerLookup.lockRecord(reference, on: connection) else {
            throw SignPeerError(.workerNotFound, "No worker '\(reference.prefix(64))'.", status: 404)
        }
        let holder: WorkerRecord
        if let tokenWorker = worker.value(PropertyName.cryptoToken) {
            guard let found = try await WorkerLookup.lockRecord(tokenWorker, on: connection), found.type == .cryptoWorker else {
                throw SignPeerError(
                    .cryptoTokenOffline, "Worker \(worker.name) has no crypto token (\(tokenWorker.prefix(64)) is not a crypto worker).",
                    status: 409)
            }
            holder = found
        } else {
            guard worker.hasInternalToken else {
                throw SignPeerError(.cryptoTokenOffline, "Worker \(worker.name) has no crypto token.", status: 409)
            }
            holder = worker
        }
        return TokenWorkers(worker: worker, holder: holder, kind: try TokenKind(worker: holder))
    }
}

/// Property writes of the renewal service (inside its transactions).
enum WorkerProperties {
    static func set(_ name: String, _ value: String, worker: Int, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO worker_properties (worker_id, name, value) VALUES ($1, $2, $3)
            ON CONFLICT (worker_id, name) DO UPDATE SET value = excluded.value
            """, [.int(Int64(worker)), .text(name), .text(value)])
    }

    static func remove(_ name: String, worker: Int, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "DELETE FROM worker_properties WHERE worker_id = $1 AND name = $2", [.int(Int64(worker)), .text(name)])
    }

    static func touch(worker: Int, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "UPDATE workers SET version = version + 1, updated_at = now() WHERE id = $1", [.int(Int64(worker))])
    }
}
