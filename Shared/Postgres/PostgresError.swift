/// What can go wrong talking to PostgreSQL, in cases a caller can act on.
///
/// Messages never contain query parameters (they may be secrets): `queryFailed` carries only the
/// server's primary message, without its DETAIL, and for data exceptions (SQLSTATE class 22,
/// whose messages quote the offending input) every quoted part is replaced by `"…"`.
public enum PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Opening (or re-opening) a connection failed; the message is libpq's.
    case connectionFailed(message: String)
    /// The server closed the connection or the network failed while a command ran. The command
    /// may or may not have been executed.
    case connectionLost
    /// The server rejected a command. `sqlState` is the five-character SQLSTATE, for example
    /// `23505` (unique violation), `40001` (serialization failure) or `40P01` (deadlock).
    case queryFailed(sqlState: String, message: String)
    /// No connection became free within `PostgresConfiguration.acquireTimeout`.
    case poolTimeout
    /// A column's value could not be decoded as the type asked for (or was NULL for a
    /// non-optional type).
    case decoding(column: String, expected: String)
    /// The row has no column of that name or index.
    case columnNotFound(column: String)
    /// The connection or client was closed.
    case closed

    /// SQLSTATE of a unique violation.
    public static let uniqueViolation = "23505"
    /// SQLSTATE of a serialization failure (retry the transaction).
    public static let serializationFailure = "40001"
    /// SQLSTATE of a detected deadlock (retry the transaction).
    public static let deadlockDetected = "40P01"

    /// The SQLSTATE when the server rejected a command, else `nil`.
    public var sqlState: String? {
        if case .queryFailed(let sqlState, _) = self { return sqlState }
        return nil
    }

    public var description: String {
        switch self {
        case .connectionFailed(let message): "connection to PostgreSQL failed: \(message)"
        case .connectionLost: "connection to PostgreSQL lost"
        case .queryFailed(let sqlState, let message): "PostgreSQL error \(sqlState): \(message)"
        case .poolTimeout: "no PostgreSQL connection became free in time"
        case .decoding(let column, let expected):
            "cannot decode column \"\(column)\" as \(expected)"
        case .columnNotFound(let column): "no column \"\(column)\" in the row"
        case .closed: "PostgreSQL connection closed"
        }
    }

}
