import SignPeerCore
import SignPeerPostgres

/// The one writer of worker rows, `worker_properties` and `global_properties`: the key-binding
/// service's configuration changes (property files, `setproperty`, `removeworker`), the renewal
/// service's pending key, certificate install and certificate uploads all go through it, so the
/// value rules (``PropertyValueRules``) apply once and the same way to every change.
///
/// Every function runs inside the caller's transaction (the unit of work); callers lock the worker
/// row first (``WorkerLookup/lockID(_:on:)``) and append their audit rows last.
public enum PropertyWriter {
    /// Creates a PROCESSABLE worker named `name` (with id `id`, or the next free id), under a table
    /// lock so concurrent creations serialize.
    public static func createWorker(id: Int?, name: String, on connection: PostgresConnection) async throws
        -> PropertyFileResult.Created
    {
        let name = try PropertyValueRules.validName(name)
        try await connection.execute("LOCK TABLE workers IN SHARE ROW EXCLUSIVE MODE")
        let taken = try await connection.query(
            "SELECT 1 FROM workers WHERE upper(name) = upper($1)", [.text(name)])
        guard taken.isEmpty else {
            throw SignPeerError.invalidProperty("A worker named '\(name)' already exists.")
        }
        let rows = try await connection.query(
            """
            INSERT INTO workers (id, name, type)
            VALUES (coalesce($1, (SELECT coalesce(max(id), 0) + 1 FROM workers)), $2, 'PROCESSABLE')
            RETURNING id
            """, [id.map { .int(Int64($0)) } ?? .null, .text(name)])
        return PropertyFileResult.Created(id: try rows[0].decode(Int.self, column: "id"), name: name)
    }

    /// Sets (`value` non-nil) or removes one property of worker `id`; NAME and TYPE change the
    /// worker row. Returns whether anything changed.
    @discardableResult
    public static func set(_ property: String, _ value: String?, worker id: Int, on connection: PostgresConnection)
        async throws -> Bool
    {
        try await set([(property, value)], worker: id, on: connection)
    }

    /// Applies several property changes to worker `id` in order, bumping the worker's version once
    /// when any of them changed something. Returns whether anything changed.
    @discardableResult
    public static func set(_ changes: [(property: String, value: String?)], worker id: Int, on connection: PostgresConnection)
        async throws -> Bool
    {
        var changed = false
        for (property, value) in changes {
            if try await write(property, value, worker: id, on: connection) { changed = true }
        }
        if changed {
            try await connection.execute(
                "UPDATE workers SET version = version + 1, updated_at = now() WHERE id = $1", [.int(Int64(id))])
        }
        return changed
    }

    private static func write(_ property: String, _ value: String?, worker id: Int, on connection: PostgresConnection)
        async throws -> Bool
    {
        let key: PostgresValue = .int(Int64(id))
        switch property {
        case PropertyName.name:
            guard let value else { throw SignPeerError.invalidProperty("NAME cannot be removed.") }
            let name = try PropertyValueRules.validName(value)
            let clash = try await connection.query(
                "SELECT 1 FROM workers WHERE upper(name) = upper($1) AND id <> $2", [.text(name), key])
            guard clash.isEmpty else {
                throw SignPeerError.invalidProperty("A worker named '\(name)' already exists.")
            }
            return try await connection.execute(
                "UPDATE workers SET name = $2 WHERE id = $1 AND name <> $2", [key, .text(name)]) > 0
        case PropertyName.type:
            guard let value else { throw SignPeerError.invalidProperty("TYPE cannot be removed.") }
            let type = try PropertyValueRules.validType(value)
            return try await connection.execute(
                "UPDATE workers SET type = $2 WHERE id = $1 AND type <> $2", [key, .text(type.rawValue)]) > 0
        default:
            if let stored = try value.flatMap({ try PropertyValueRules.canonical(property: property, value: $0) }) {
                return try await connection.execute(
                    """
                    INSERT INTO worker_properties (worker_id, name, value) VALUES ($1, $2, $3)
                    ON CONFLICT (worker_id, name) DO UPDATE SET value = excluded.value
                    WHERE worker_properties.value IS DISTINCT FROM excluded.value
                    """, [key, .text(property), .text(stored)]) > 0
            }
            return try await connection.execute(
                "DELETE FROM worker_properties WHERE worker_id = $1 AND name = $2", [key, .text(property)]) > 0
        }
    }

    /// Sets or removes a global property. Returns whether anything changed.
    public static func setGlobal(_ property: String, _ value: String?, on connection: PostgresConnection) async throws
        -> Bool
    {
        if let stored = try value.flatMap({ try PropertyValueRules.canonical(property: property, value: $0) }) {
            return try await connection.execute(
                """
                INSERT INTO global_properties (name, value) VALUES ($1, $2)
                ON CONFLICT (name) DO UPDATE SET value = excluded.value
                WHERE global_properties.value IS DISTINCT FROM excluded.value
                """, [.text(property), .text(stored)]) > 0
        }
        return try await connection.execute("DELETE FROM global_properties WHERE name = $1", [.text(property)]) > 0
    }

    /// `removeworker`: the worker, its properties and its key store go (cascade). Returns the id,
    /// or nil when there is no such worker.
    public static func removeWorker(_ reference: String, on connection: PostgresConnection) async throws -> Int? {
        guard let id = try await WorkerLookup.lockID(reference, on: connection) else { return nil }
        try await connection.execute("DELETE FROM workers WHERE id = $1", [.int(Int64(id))])
        return id
    }
}
