import Logging

/// The SQL transaction isolation levels, for `PostgresClient.withTransaction`.
public enum PostgresIsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresClient {
    /// Runs `body` inside a transaction on one pooled connection: `BEGIN`, then `COMMIT` if
    /// `body` returns, `ROLLBACK` if it throws (a broken connection is dropped instead).
    ///
    /// If `BEGIN` fails because the connection was lost, it is retried once on a fresh
    /// connection: nothing had been done yet. `body` itself is never retried; callers decide
    /// whether to retry on `40001`/`40P01`. If `body` swallowed an SQL error, the transaction is
    /// rolled back and this throws `queryFailed` with SQLSTATE `25P02`.
    public func withTransaction<T: Sendable>(
        isolationLevel: PostgresIsolationLevel = .readCommitted,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await begin(isolationLevel)
        do {
            let value = try await body(connection)
            if await connection.isInFailedTransaction {
                throw PostgresError.queryFailed(
                    sqlState: "25P02",
                    message: "an error inside the transaction was caught; it was rolled back")
            }
            try await connection.execute("COMMIT")
            await release(connection)
            return value
        } catch {
            _ = try? await connection.execute("ROLLBACK")
            await release(connection)
            throw error
        }
    }

    private func begin(_ isolationLevel: PostgresIsolationLevel) async throws -> PostgresConnection
    {
        var retried = false
        while true {
            let connection = try await acquire()
            do {
                try await connection.execute("BEGIN ISOLATION LEVEL \(isolationLevel.rawValue)")
                return connection
            } catch {
                await release(connection)
                guard case PostgresError.connectionLost = error, !retried else { throw error }
                logger.info("connection lost at BEGIN, retrying on a fresh connection")
                retried = true
            }
        }
    }
}
