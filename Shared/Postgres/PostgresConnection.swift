import CLibPQ
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// One PostgreSQL session, driven through libpq's synchronous API on a thread of its own.
///
/// The actor's executor is a `DedicatedThreadExecutor`, so `PQexecParams` and friends block that
/// thread, never the cooperative pool. Calls are serialized by the actor, which is what libpq
/// needs: a `PGconn` must not be used by two threads at once. Most code uses connections through
/// `PostgresClient`; open one directly for `LISTEN`, which needs a session that stays put.
public actor PostgresConnection {
    private let executor: DedicatedThreadExecutor
    private let handle: ConnectionHandle
    private let configuration: PostgresConfiguration
    private let logger: Logger
    /// The statements this session has prepared, by text and parameter types: a statement runs
    /// again without being parsed and planned again (a listing's query plans in ~0.5 ms). Bounded;
    /// beyond the bound, statements run unprepared. Emptied when the session is re-opened.
    private var prepared: [PreparedKey: String] = [:]
    /// Names are never reused in a session: a statement forgotten here may still exist there.
    private var preparedNames = 0
    private static let preparedLimit = 200

    private struct PreparedKey: Hashable {
        var sql: String
        var types: [Oid]
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    private init(configuration: PostgresConfiguration, logger: Logger) {
        self.executor = DedicatedThreadExecutor(name: "pg-connection")
        self.handle = ConnectionHandle(logger: logger)
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        // The handle closes the PGconn when it is released with the actor.
        executor.shutdown()
    }

    /// Opens a session and sets what decoding relies on: UTF-8, ISO dates in UTC, hex `bytea`.
    public static func connect(
        _ configuration: PostgresConfiguration, logger: Logger
    ) async throws -> PostgresConnection {
        let connection = PostgresConnection(configuration: configuration, logger: logger)
        try await connection.open()
        return connection
    }

    /// Runs one statement with `$1, $2, ...` bound to `parameters` and returns its rows.
    @discardableResult
    public func query(
        _ sql: String, _ parameters: [PostgresValue] = []
    ) async throws -> PostgresRows {
        let result = try execute(sql, parameters, on: try openConnection())
        defer { PQclear(result) }
        return Self.rows(of: result)
    }

    /// Runs one statement with `$1, $2, ...` bound to `parameters` and returns the number of rows
    /// it affected.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> Int {
        let result = try execute(sql, parameters, on: try openConnection())
        defer { PQclear(result) }
        return Self.affectedRows(of: result)
    }

    /// Runs SQL that may hold several statements, without parameters (the simple query
    /// protocol). Only for trusted, constant SQL such as migrations.
    public func executeScript(_ sql: String) async throws {
        let connection = try openConnection()
        PQclear(try check(PQexec(connection, sql), on: connection))
    }

    /// Whether the session still works. Reads what the server sent while the connection was
    /// idle, so a server that restarted (it sends an error, then closes the socket) is noticed
    /// here rather than by the next query.
    public var isHealthy: Bool {
        guard let connection = handle.connection else { return false }
        return Self.readPendingInput(connection)
    }

    /// Re-opens the session (`PQreset`) if it is no longer healthy. Session state such as
    /// `LISTEN` and `SET` is lost then; a listener re-issues its `LISTEN`s.
    public func reconnectIfNeeded() throws {
        let connection = try openConnection()
        guard !Self.readPendingInput(connection) else { return }
        logger.info("PostgreSQL connection broken, reconnecting")
        PQreset(connection)
        prepared = [:]
        guard PQstatus(connection) == CONNECTION_OK else {
            throw PostgresError.connectionFailed(message: Self.errorMessage(connection))
        }
        try configureSession(connection)
    }

    /// Returns the notifications received since the last call, for a connection that ran
    /// `LISTEN`. Poll it; it does not wait.
    public func notifications() throws -> [PostgresNotification] {
        let connection = try openConnection()
        guard Self.readPendingInput(connection) else { throw PostgresError.connectionLost }
        var notifications: [PostgresNotification] = []
        while let notify = PQnotifies(connection) {
            notifications.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    processID: notify.pointee.be_pid))
            PQfreemem(notify)
        }
        return notifications
    }

    /// Waits up to `timeout` for notifications on a connection that ran `LISTEN` and returns
    /// those that came (none when the time ran out). It blocks this session's own thread only.
    public func notifications(waitingUpTo timeout: Duration) throws -> [PostgresNotification] {
        let queued = try notifications()
        guard queued.isEmpty else { return queued }
        var descriptor = pollfd(fd: PQsocket(try openConnection()), events: Int16(POLLIN), revents: 0)
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        _ = poll(&descriptor, 1, Int32(clamping: milliseconds))
        return try notifications()
    }

    /// Ends the session. Later calls fail with `PostgresError.closed`.
    public func close() {
        handle.close()
    }

    /// Whether the pool may hand this connection out again: healthy and not inside a
    /// transaction.
    var isReusable: Bool {
        guard let connection = handle.connection else { return false }
        return Self.readPendingInput(connection) && PQtransactionStatus(connection) == PQTRANS_IDLE
    }

    /// Whether the current transaction failed and can only be rolled back.
    var isInFailedTransaction: Bool {
        handle.connection.map { PQtransactionStatus($0) == PQTRANS_INERROR } ?? false
    }

    // MARK: libpq calls

    private func open() throws {
        let attempt = Self.connect(configuration)
        guard let connection = attempt, PQstatus(connection) == CONNECTION_OK else {
            let message = Self.errorMessage(attempt)
            PQfinish(attempt)
            throw PostgresError.connectionFailed(message: message)
        }
        handle.adopt(connection)
        try configureSession(connection)
        logger.debug("PostgreSQL connection opened")
    }

    /// `PQconnectdbParams` expands the connection string in place of `dbname`; entries later in
    /// the arrays win, so the string may override `connect_timeout` but not `application_name`.
    private static func connect(_ configuration: PostgresConfiguration) -> OpaquePointer? {
        var settings = [
            ("connect_timeout", String(configuration.connectTimeout)),
            ("dbname", configuration.connectionString),
        ]
        if let applicationName = configuration.applicationName {
            settings.append(("application_name", applicationName))
        }
        let keywords = settings.map { strdup($0.0) }
        let values = settings.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        return PQconnectdbParams(
            keywords.map { UnsafePointer($0) } + [nil], values.map { UnsafePointer($0) } + [nil], 1)
    }

    private func configureSession(_ connection: OpaquePointer) throws {
        let setup = """
            SET client_encoding TO 'UTF8'; SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD';
            SET bytea_output TO 'hex'
            """ + (configuration.synchronousCommit ? "" : "; SET synchronous_commit TO off")
        do {
            PQclear(try check(PQexec(connection, setup), on: connection))
        } catch {
            throw PostgresError.connectionFailed(message: "session setup failed: \(error)")
        }
    }

    private func openConnection() throws -> OpaquePointer {
        guard let connection = handle.connection else { throw PostgresError.closed }
        return connection
    }

    private func execute(
        _ sql: String, _ parameters: [PostgresValue], on connection: OpaquePointer
    ) throws -> OpaquePointer {
        var wires: [PostgresValue.Wire] = []
        wires.reserveCapacity(parameters.count)
        for (index, parameter) in parameters.enumerated() {
            guard let wire = parameter.wire else {
                throw PostgresError.queryFailed(
                    sqlState: "22021",
                    message: "text parameter $\(index + 1) contains a NUL character")
            }
            wires.append(wire)
        }
        let buffers = wires.map { wire in
            wire.bytes.map { bytes in
                let buffer = UnsafeMutableBufferPointer<CChar>.allocate(
                    capacity: max(bytes.count, 1))
                UnsafeMutableRawBufferPointer(buffer).copyBytes(from: bytes)
                return buffer
            }
        }
        defer { buffers.forEach { $0?.deallocate() } }
        let types = wires.map(\.type)
        let values = buffers.map { $0.flatMap { UnsafePointer($0.baseAddress) } }
        let lengths = wires.map { Int32($0.bytes?.count ?? 0) }
        let formats = wires.map { Int32($0.isBinary ? 1 : 0) }
        guard let name = try preparedName(sql, types: types, on: connection) else {
            return try check(
                PQexecParams(connection, sql, Int32(wires.count), types, values, lengths, formats, 0), on: connection)
        }
        do {
            return try check(
                PQexecPrepared(connection, name, Int32(wires.count), values, lengths, formats, 0), on: connection)
        } catch PostgresError.queryFailed(let sqlState, let message) where sqlState == "0A000" {
            // "cached plan must not change result type": a migration changed a table under the
            // session's statements (another service's start). Prepare afresh from the next call.
            PQclear(PQexec(connection, "DEALLOCATE ALL"))
            prepared = [:]
            throw PostgresError.queryFailed(sqlState: sqlState, message: message)
        }
    }

    /// The name of `sql` prepared in this session (preparing it first), or nil past the bound.
    private func preparedName(_ sql: String, types: [Oid], on connection: OpaquePointer) throws -> String? {
        let key = PreparedKey(sql: sql, types: types)
        if let name = prepared[key] { return name }
        guard prepared.count < Self.preparedLimit else { return nil }
        preparedNames += 1
        let name = "signpeer_\(preparedNames)"
        PQclear(try check(PQprepare(connection, name, sql, Int32(types.count), types), on: connection))
        prepared[key] = name
        return name
    }

    /// Returns a successful result, or clears a failed one and throws what went wrong.
    private func check(
        _ result: OpaquePointer?, on connection: OpaquePointer
    ) throws -> OpaquePointer {
        if let result {
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                return result
            default:
                break
            }
        }
        defer { PQclear(result) }
        guard PQstatus(connection) == CONNECTION_OK else {
            logger.warning(
                "PostgreSQL connection lost",
                metadata: ["error": "\(Self.errorMessage(connection))"])
            throw PostgresError.connectionLost
        }
        guard let result else {
            throw PostgresError.queryFailed(sqlState: "", message: Self.errorMessage(connection))
        }
        throw Self.queryError(from: result)
    }

    private static func queryError(from result: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let sqlState = field("C") ?? ""
        var message = field("M") ?? String(cString: PQresultErrorMessage(result))
        if sqlState.hasPrefix("22") {
            // Data exceptions quote the offending input, which may be a parameter value.
            message = message.replacing(/"[^"]*"/, with: "\"…\"")
        }
        return .queryFailed(sqlState: sqlState, message: message)
    }

    private static func errorMessage(_ connection: OpaquePointer?) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Reads and parses whatever arrived on an idle connection; `false` if it is broken.
    /// libpq notices that the server closed the socket only on a read that finds no more data,
    /// so this keeps reading while the socket is readable.
    private static func readPendingInput(_ connection: OpaquePointer) -> Bool {
        for _ in 0..<8 {
            guard PQconsumeInput(connection) != 0 else { return false }
            _ = PQisBusy(connection)  // parses: queues notifications, reports notices
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { break }
        }
        return PQstatus(connection) == CONNECTION_OK
    }

    private static func rows(of result: OpaquePointer) -> PostgresRows {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            let values = (0..<columnCount).map { column -> String? in
                guard PQgetisnull(result, row, column) == 0 else { return nil }
                let bytes = UnsafeRawBufferPointer(
                    start: PQgetvalue(result, row, column),
                    count: Int(PQgetlength(result, row, column)))
                return String(decoding: bytes, as: UTF8.self)
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        return PostgresRows(columns: columns, rows: rows, affectedRows: affectedRows(of: result))
    }

    private static func affectedRows(of result: OpaquePointer) -> Int {
        Int(String(cString: PQcmdTuples(result))) ?? 0
    }
}

/// Owns the `PGconn` and finishes it when released. A class of its own because an actor's
/// (nonisolated) `deinit` cannot touch a non-Sendable pointer stored in the actor.
private final class ConnectionHandle {
    private(set) var connection: OpaquePointer?
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Takes ownership and routes the server's notices (and the error a closing server sends) to
    /// the logger instead of libpq's default, stderr.
    func adopt(_ connection: OpaquePointer) {
        self.connection = connection
        PQsetNoticeProcessor(
            connection,
            { context, message in
                guard let context, let message else { return }
                let handle = Unmanaged<ConnectionHandle>.fromOpaque(context).takeUnretainedValue()
                let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
                handle.logger.debug("PostgreSQL notice", metadata: ["notice": "\(text)"])
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    func close() {
        if let connection {
            PQfinish(connection)
            self.connection = nil
        }
    }

    deinit {
        close()
    }
}
