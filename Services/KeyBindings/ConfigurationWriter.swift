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

    /// Executes the file's ``ConfigurationPlan``: first the numbered workers (`WORKER<n>`, created
    /// with id `<n>` when absent and given a NAME) so that no generated id takes a number the file
    /// names, then the `WORKERGENID<n>` creations, then every group's properties.
    func apply(_ file: PropertyFile, by principal: Principal?) async throws -> Outcome {
        let plan = try ConfigurationPlan(file)
        return try await database.withTransaction { connection in
            var outcome = Outcome()
            var ids: [Int: Int] = [:]  // group index -> worker id
            var created: Set<Int> = []  // groups whose worker this file created
            func create(_ index: Int, id: Int?) async throws {
                let group = plan.groups[index]
                guard let name = group.name else {
                    throw SignPeerError(
                        .workerNotFound,
                        "Line \(group.line): No worker '\(id.map(String.init) ?? group.label)'; add \(group.label).NAME=<name> to create it.",
                        status: 404)
                }
                let worker = try await Self.atLine(name.line) {
                    try await createWorker(id: id, name: name.value ?? "", on: connection)
                }
                ids[index] = worker.id
                created.insert(index)
                outcome.created.append(worker)
                outcome.applied += 1
                outcome.changed = true
                try await AuditLog.append(Self.auditEvent(name, worker: worker.id, principal), on: connection)
            }
            for (index, group) in plan.groups.enumerated() {
                guard let id = group.numberedID else { continue }
                if let existing = try await WorkerLookup.lockID(String(id), on: connection) {
                    ids[index] = existing
                } else {
                    try await create(index, id: id)
                }
            }
            for (index, group) in plan.groups.enumerated() {
                if case .generated = group.target { try await create(index, id: nil) }
            }
            for (index, group) in plan.groups.enumerated() {
                var worker = ids[index]
                if case .worker(let reference) = group.target, worker == nil {
                    worker = try await WorkerLookup.lockID(reference, on: connection)
                    guard worker != nil else {
                        throw SignPeerError(
                            .workerNotFound, "Line \(group.line): No worker '\(reference.prefix(64))'.", status: 404)
                    }
                }
                for change in created.contains(index) ? group.changesAfterCreation : group.changes {
                    let changed = try await Self.atLine(change.line) {
                        if let worker { return try await setWorkerProperty(worker, change.property, change.value, on: connection) }
                        return try await setGlobal(change.property, change.value, on: connection)
                    }
                    outcome.changed = changed
                    outcome.applied += 1
                    if changed { try await AuditLog.append(Self.auditEvent(change, worker: worker, principal), on: connection) }
                }
            }
            return outcome
        }
    }

    /// Errors of one line name it.
    private static func atLine<T>(_ line: Int, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SignPeerError {
            throw SignPeerError(error.code, "Line \(line): \(error.message)", status: error.status)
        }
    }

    /// The audit record of one applied line; secret values are never recorded, other values only
    /// by their length (certificates are long).
    static func auditEvent(_ change: ConfigurationPlan.Change, worker: Int?, _ principal: Principal?) -> AuditEvent {
        var details = ["property": change.property, "scope": worker == nil ? "global" : "worker"]
        if let value = change.value {
            details["value"] = PropertyName.secret.contains(change.property)
                ? WorkerConfig.masked : value.count > 256 ? "(\(value.count) characters)" : value
        }
        return AuditEvent(
            change.value == nil ? .propertyRemoved : .propertySet, principal: principal, workerID: worker,
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
