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

    func apply(_ file: PropertyFile, by principal: Principal?) async throws -> Outcome {
        try await database.withTransaction { connection in
            var outcome = Outcome()
            var generated: [Int: Int] = [:]  // WORKERGENID n -> new id
            var resolved: [String: Int] = [:]  // WORKER reference -> id
            var events: [AuditEvent] = []
            for operation in Self.ordered(file.operations) {
                do {
                    let change = try await apply(
                        operation, on: connection, generated: &generated, resolved: &resolved, created: &outcome.created)
                    outcome.changed = change.changed
                    outcome.applied += 1
                    if change.changed { events.append(Self.auditEvent(operation, worker: change.worker, principal)) }
                } catch let error as SignPeerError {
                    throw error.withMessage("Line \(operation.line): \(error.message)")
                }
            }
            // Last: the audit chain's lock is global, held from the first append to the commit.
            for event in events { try await AuditLog.append(event, on: connection) }
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
            return (try await PropertyWriter.setGlobal(operation.property, operation.value, on: connection), nil)
        case .generated(let n):
            if let id = generated[n] {
                workerID = id
            } else {
                guard operation.property == PropertyName.name, let value = operation.value else {
                    throw SignPeerError.invalidProperty("WORKERGENID\(n) needs a NAME line.")
                }
                let worker = try await PropertyWriter.createWorker(id: nil, name: value, on: connection)
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
                let worker = try await PropertyWriter.createWorker(id: id, name: value, on: connection)
                resolved[reference.uppercased()] = worker.id
                created.append(worker)
                return (true, worker.id)
            } else {
                throw SignPeerError.workerNotFound("No worker '\(reference.prefix(64))'.")
            }
            resolved[reference.uppercased()] = workerID
        }
        return (try await PropertyWriter.set(operation.property, operation.value, worker: workerID, on: connection), workerID)
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
