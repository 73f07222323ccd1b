import SignPeerCore
import SignPeerPostgres

/// The answer a request gets when PostgreSQL failed under it: 503 `service_unavailable` (with
/// `Retry-After`) while the database is unreachable, shutting down or out of connections —
/// SQLSTATE classes 08 (connection exception) and 57 (operator intervention, e.g. `57P01`
/// terminating connection, `57P03` cannot connect now) and `53300` — and a 500
/// `database_error` otherwise. The details go to the log, never to the client.
enum DatabaseErrorAnswer {
    static func answer(for error: PostgresError) -> SignPeerError {
        if let state = error.sqlState, state.hasPrefix("08") || state.hasPrefix("57") || state == "53300" {
            return SignPeerError(.serviceUnavailable, "the database is unavailable", status: 503)
        }
        return error.signPeerError
    }
}
