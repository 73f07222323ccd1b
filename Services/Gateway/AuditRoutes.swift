import Hummingbird
import SignPeerCore
import SignPeerServer
import SignPeerStore
import SignPeerPostgres

/// `GET /admin/v1/audit` (`-limit`, `-event`, `-worker` as query parameters) and
/// `GET /admin/v1/audit/verify`, for the Auditor or Admin role (SPEC §4, §10).
enum AuditRoutes {
    static func add(to router: Router<GatewayRequestContext>, database: PostgresClient) {
        let audit = router.group("/admin/v1/audit").add(middleware: RequireRole(.admin, .auditor))
        audit.get { request, _ in
            let query = request.uri.queryParameters
            let limitText = query["limit"].map(String.init) ?? "100"
            guard let limit = Int(limitText), (1...10_000).contains(limit) else {
                throw SignPeerError.invalidRequest("limit must be an integer from 1 to 10000.")
            }
            let event = query["event"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let worker = query["worker"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            if let event, event.count > 64 { throw SignPeerError.invalidRequest("event is too long.") }
            if let worker, !WorkerReference.isValid(worker) { throw SignPeerError.invalidRequest("Invalid worker.") }
            return JSONResponse.make(
                AuditEntryList(entries: try await AuditLog.list(limit: limit, event: event, worker: worker, in: database)))
        }
        audit.get("/verify") { _, _ in
            JSONResponse.make(try await AuditLog.verify(in: database))
        }
    }
}
