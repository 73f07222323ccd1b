import SignPeerCore
import SignPeerPostgres
import SignPeerStore

/// Applies configuration changes — a whole property file, or one `setproperty`/`removeproperty`
/// (which are one-line files) — in **one transaction**: a bad line rejects everything, with its
/// line number. Worker rows are locked (`FOR UPDATE`) before they change, and new ids are handed
/// out under a table lock, so concurrent writers serialize and no write is lost. The rows are
/// written by ``PropertyWriter``, which applies the value rules.
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
            var events: [AuditEvent] = []
            func create(_ index: Int, id: Int?) async throws {
                let group = plan.groups[index]
                guard let name = group.name else {
                    throw SignPeerError.workerNotFound(
                        "Line \(group.line): No worker '\(id.map(String.init) ?? group.label)'; add \(group.label).NAME=<name> to create it.")
                }
                let worker = try await Self.atLine(name.line) {
                    try await PropertyWriter.createWorker(id: id, name: name.value ?? "", on: connection)
                }
                ids[index] = worker.id
                created.insert(index)
                outcome.created.append(worker)
                outcome.applied += 1
                outcome.changed = true
                events.append(Self.auditEvent(name, worker: worker.id, principal))
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
                        throw SignPeerError.workerNotFound("Line \(group.line): No worker '\(reference.prefix(64))'.")
                    }
                }
                for change in created.contains(index) ? group.changesAfterCreation : group.changes {
                    let changed = try await Self.atLine(change.line) {
                        if let worker {
                            return try await PropertyWriter.set(change.property, change.value, worker: worker, on: connection)
                        }
                        return try await PropertyWriter.setGlobal(change.property, change.value, on: connection)
                    }
                    outcome.changed = changed
                    outcome.applied += 1
                    if changed { events.append(Self.auditEvent(change, worker: worker, principal)) }
                }
            }
            // Last: the audit chain's lock is global, held from the first append to the commit.
            for event in events { try await AuditLog.append(event, on: connection) }
            return outcome
        }
    }

    /// Errors of one line name it.
    private static func atLine<T>(_ line: Int, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SignPeerError {
            throw error.withMessage("Line \(line): \(error.message)")
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

    /// `removeworker`: the worker, its properties and its key store go (cascade).
    func removeWorker(_ reference: String, by principal: Principal?) async throws {
        try await database.withTransaction { connection in
            guard let id = try await PropertyWriter.removeWorker(reference, on: connection) else {
                throw SignPeerError.workerNotFound("No worker '\(reference.prefix(64))'.")
            }
            try await AuditLog.append(
                AuditEvent(.workerRemoved, principal: principal, workerID: id, workerName: reference), on: connection)
        }
    }
}
