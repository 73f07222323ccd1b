/// One row of a result, its values copied out of libpq so it can cross actors.
public struct PostgresRow: Sendable {
    /// The result's column names, in order.
    public let columns: [String]
    /// The values in PostgreSQL text format; `nil` is SQL NULL.
    let values: [String?]

    /// Decodes the value of the named column (the first one of that name).
    ///
    /// Ask for an optional type (`String?.self`) where the column may be NULL.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column: String) throws -> T {
        guard let index = columns.firstIndex(of: column) else {
            throw PostgresError.columnNotFound(column: column)
        }
        return try decode(type, at: index)
    }

    /// Decodes the value of the column at a zero-based index.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard values.indices.contains(index) else {
            throw PostgresError.columnNotFound(column: "#\(index)")
        }
        guard let value = T(postgresText: values[index]) else {
            throw PostgresError.decoding(column: columns[index], expected: "\(T.self)")
        }
        return value
    }
}

/// The rows a statement returned, plus the number of rows it affected.
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// The result's column names, in order.
    public let columns: [String]
    /// Rows inserted, updated, deleted or selected, from the command tag (0 when it has none).
    public let affectedRows: Int
    private let rows: [PostgresRow]

    init(columns: [String], rows: [PostgresRow], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> PostgresRow { rows[position] }
}
