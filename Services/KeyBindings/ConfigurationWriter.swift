import SignPeerCore
import SignPeerPostgres
import SignPeerServiceSupport

/// Applies configuration changes — a whole property file, or one `setproperty`/`removeproperty`
/// (which are one-line files) — in **one transaction**: a bad line rejects everything, with its
/// line number. Worker rows are locked (`FOR UPDATE`) before they change, and new ids are handed
/// out under a table lock, so concurrent writers serialize and no write is lost.
struct ConfigurationWriter: Sendable {
    let database: PostgresClient

    struct Outcome: Sendable {
        var created: [PropertyFileResult.Created] = []
        var applied = 0
        /// Whether the last operation changed anything (for single-property calls).
        var changed = false
    }

    func apply(_ file: PropertyFile, by principal: Principal?) async throws -> Outcome {
        try await database.withTransaction { connection in
            var outcome = Outcome()
            var generated: [Int: Int] = [:]  // WORKERGENID n -> new id
            var resolved: [String: Int] = [:]  // WORKER reference -> id
            for operation in Self.ordered(file.operations) {
                do {
                    let change = try await apply(
                        operation, on: connection, generated: &generated, resolved: &resolved, created: &outcome.created)
                    outcome.changed = change.changed
                    outcome.applied += 1
                    if change.changed {
                        try await AuditLog.append(Self.auditEvent(operation, worker: change.worker, principal), on: connection)
                    }
                } catch let error as SignPeerError {
                    throw SignPeerError(error.code, "Line \(operation.line): \(error.message)", status: error.status)
                }
            }
            return outcome
        }
    }

    /// NAME and TYPE lines first, so a new worker exists before its other properties are set.
    static func ordered(_ operations: [PropertyFile.Operation]) -> [PropertyFile.Operation] {
        let identity: Set<String> = [PropertyName.name, PropertyName.type]
        return operations.filter { identity.contains($0.property) } + operations.filter { !identity.contains($0.property) }
    }

    private func apply(
        _ operation: PropertyFile.Operation, on connection: PostgresConnection, generated: inout [Int: Int],
        resolved: inout [String: Int], created: inout [PropertyFileResult.Created]
    ) async throws -> (changed: Bool, worker: Int?) {
        let workerID: Int
        switch operation.target {
        case .global:
            return (try await setGlobal(operation.property, operation.value, on: connection), nil)
        case .generated(let n):
            if let id = generated[n] {
                workerID = id
            } else {
                guard operation.property == PropertyName.name, let value = operation.value else {
                    throw SignPeerError(.invalidProperty, "WORKERGENID\(n) needs a NAME line.")
                }
                let worker = try await createWorker(id: nil, name: value, on: connection)
                generated[n] = worker.id
                created.append(worker)
                return (true, worker.id)
            }
        case .worker(let reference):
            if let id = resolved[reference.uppercased()] {
                workerID = id
            } else if let existing = try await WorkerLookup.lockID(reference, on: connection) {
                workerID = existing
            } else if let id = WorkerReference.id(reference), operation.property == PropertyName.name,
                let value = operation.value
            {
                let worker = try await createWorker(id: id, name: value, on: connection)
                resolved[reference.uppercased()] = worker.id
                created.append(worker)
                return (true, worker.id)
            } else {
                throw SignPeerError(.workerNotFound, "No worker '\(reference.prefix(64))'.", status: 404)
            }
            resolved[reference.uppercased()] = workerID
        }
        return (try await setWorkerProperty(workerID, operation.property, operation.value, on: connection), workerID)
    }

    /// The audit record of one applied line; secret values are never recorded, other values only
    /// by their length (certificates are long).
    static func auditEvent(_ operation: PropertyFile.Operation, worker: Int?, _ principal: Principal?) -> AuditEvent {
        var details = ["property": operation.property, "scope": worker == nil ? "global" : "worker"]
        if let value = operation.value {
            details["value"] = PropertyName.secret.contains(operation.property)
                ? WorkerConfig.masked : value.count > 256 ? "(\(value.count) characters)" : value
        }
        return AuditEvent(
            operation.value == nil ? .propertyRemoved : .propertySet, principal: principal, workerID: worker,
            details: details)
    }

    private func createWorker(id: Int?, name: String, on connection: PostgresConnection) async throws
        -> PropertyFileResult.Created
    {
        let name = try PropertyValueRules.validName(name)
        try await connection.execute("LOCK TABLE workers IN SHARE ROW EXCLUSIVE MODE")
        let taken = try await connection.query(
            "SELECT 1 FROM workers WHERE upper(name) = upper($1)", [.text(name)])
        guard taken.isEmpty else {
            throw SignPeerError(.invalidProperty, "A worker named '\(name)' already exists.", status: 409)
        }
        let rows = try await connection.query(
            """
            INSERT INTO workers (id, name, type)
            VALUES (coalesce($1, (SELECT coalesce(max(id), 0) + 1 FROM workers)), $2, 'PROCESSABLE')
            RETURNING id
            """, [id.map { .int(Int64($0)) } ?? .null, .text(name)])
        return PropertyFileResult.Created(id: try rows[0].decode(Int.self, column: "id"), name: name)
    }

    private func setWorkerProperty(_ id: Int, _ property: String, _ value: String?, on connection: PostgresConnection)
        async throws -> Bool
    {
        let key: PostgresValue = .int(Int64(id))
        switch property {
        case PropertyName.name:
            guard let value else { throw SignPeerError(.invalidProperty, "NAME cannot be removed.") }
            let name = try PropertyValueRules.validName(value)
            let clash = try await connection.query(
                "SELECT 1 FROM workers WHERE upper(name) = upper($1) AND id <> $2", [.text(name), key])
            guard clash.isEmpty else {
                throw SignPeerError(.invalidProperty, "A worker named '\(name)' already exists.", status: 409)
            }
            return try await touch(
                "UPDATE workers SET name = $2, version = version + 1, updated_at = now() WHERE id = $1 AND name <> $2",
                [key, .text(name)], on: connection)
        case PropertyName.type:
            guard let value else { throw SignPeerError(.invalidProperty, "TYPE cannot be removed.") }
            let type = try PropertyValueRules.validType(value)
            return try await touch(
                "UPDATE workers SET type = $2, version = version + 1, updated_at = now() WHERE id = $1 AND type <> $2",
                [key, .text(type.rawValue)], on: connection)
        default:
            let stored = try value.flatMap { try PropertyValueRules.canonical(property: property, value: $0) }
            let changed: Bool
            if let stored {
                changed = try await touch(
                    """
                    INSERT INTO worker_properties (worker_id, name, value) VALUES ($1, $2, $3)
                    ON CONFLICT (worker_id, name) DO UPDATE SET value = excluded.value
                    WHERE worker_properties.value IS DISTINCT FROM excluded.value
                    """, [key, .text(property), .text(stored)], on: connection)
            } else {
                changed = try await touch(
                    "DELETE FROM worker_properties WHERE worker_id = $1 AND name = $2", [key, .text(property)],
                    on: connection)
            }
            if changed {
                try await connection.execute(
                    "UPDATE workers SET version = version + 1, updated_at = now() WHERE id = $1", [key])
            }
            return changed
        }
    }

    private func setGlobal(_ property: String, _ value: String?, on connection: PostgresConnection) async throws -> Bool {
        if let stored = try value.flatMap({ try PropertyValueRules.canonical(property: property, value: $0) }) {
            return try await touch(
                """
                INSERT INTO global_properties (name, value) VALUES ($1, $2)
                ON CONFLICT (name) DO UPDATE SET value = excluded.value
                WHERE global_properties.value IS DISTINCT FROM excluded.value
                """, [.text(property), .text(stored)], on: connection)
        }
        return try await touch("DELETE FROM global_properties WHERE name = $1", [.text(property)], on: connection)
    }

    private func touch(_ sql: String, _ parameters: [PostgresValue], on connection: PostgresConnection) async throws
        -> Bool
    {
        try await connection.execute(sql, parameters) > 0
    }

    /// `removeworker`: the worker, its properties and its key store go (cascade).
    func removeWorker(_ reference: String, by principal: Principal?) async throws {
        try await database.withTransaction { connection in
            guard let id = try await WorkerLookup.lockID(reference, on: connection) else {
                throw SignPeerError(.workerNotFound, "No worker '\(reference.prefix(64))'.", status: 404)
            }
            try await connection.execute("DELETE FROM workers WHERE id = $1", [.int(Int64(id))])
            try await AuditLog.append(
                AuditEvent(.workerRemoved, principal: principal, workerID: id, workerName: reference), on: connection)
        }
    }
}
