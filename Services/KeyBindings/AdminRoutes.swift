import Foundation
import Hummingbird
import SignPeerCore
import SignPeerServer
import SignPeerStore

/// The configuration half of the admin API (`/internal/v1/admin/...`, reached through the
/// gateway's `/admin/v1/...`): property files, single properties, workers and their status. The
/// gateway already checked the Admin role; this service checks the forwarded principal again.
enum AdminRoutes {
    static func add(
        to router: Router<BasicRequestContext>, repository: WorkerStore, writer: ConfigurationWriter,
        status: WorkerStatusReporter
    ) {
        let admin = router.group("/internal/v1/admin").add(middleware: RequireForwardedRole(.admin))

        admin.post("/properties") { request, context in
            let body = try await request.decode(as: PropertyFileRequest.self, context: context)
            let outcome = try await writer.apply(try PropertyFile(parsing: body.text), by: request.forwardedPrincipal)
            return JSONResponse.make(PropertyFileResult(created: outcome.created, applied: outcome.applied))
        }
        admin.get("/workers") { _, context in
            JSONResponse.make(WorkerStatusList(workers: try await status.statuses(requestID: context.requestID)))
        }
        admin.get("/workers/{ref}") { _, context in
            JSONResponse.make(try await repository.requireWorker(try context.parameters.require("ref")).maskedConfig)
        }
        admin.delete("/workers/{ref}") { request, context in
            let reference = try context.parameters.require("ref")
            try await writer.removeWorker(reference, by: request.forwardedPrincipal)
            return JSONResponse.make(OperationResult(changed: true, message: "Worker \(reference) removed."))
        }
        admin.put("/workers/{ref}/properties/{property}") { request, context in
            let value = try await request.decode(as: PropertyValue.self, context: context).value
            return try await setProperty(
                .worker(try context.parameters.require("ref")), context.parameters.require("property"), value, writer,
                request.forwardedPrincipal)
        }
        admin.delete("/workers/{ref}/properties/{property}") { request, context in
            try await setProperty(
                .worker(try context.parameters.require("ref")), context.parameters.require("property"), nil, writer,
                request.forwardedPrincipal)
        }
        admin.get("/global") { _, _ in
            var properties = try await repository.globalProperties()
            for key in properties.keys where PropertyName.secret.contains(key) { properties[key] = WorkerConfig.masked }
            return JSONResponse.make(WorkerConfig(id: 0, name: "GLOB", type: "GLOBAL", properties: properties))
        }
        admin.put("/global/properties/{property}") { request, context in
            let value = try await request.decode(as: PropertyValue.self, context: context).value
            return try await setProperty(
                .global, context.parameters.require("property"), value, writer, request.forwardedPrincipal)
        }
        admin.delete("/global/properties/{property}") { request, context in
            try await setProperty(.global, context.parameters.require("property"), nil, writer, request.forwardedPrincipal)
        }
        admin.post("/reload") { _, _ in
            JSONResponse.make(OperationResult(changed: false, message: "Configuration is live; nothing to reload."))
        }
    }

    /// One property as a one-line property file, so it follows exactly the same rules.
    static func setProperty(
        _ target: PropertyFile.Target, _ rawName: String, _ value: String?, _ writer: ConfigurationWriter,
        _ principal: Principal?
    ) async throws -> Response {
        if case .worker(let reference) = target, !WorkerReference.isValid(reference) {
            throw SignPeerError.workerNotFound("No worker '\(reference.prefix(64))'.")
        }
        let name = try PropertyName.canonical(rawName)
        let file = PropertyFile(operations: [.init(line: 1, target: target, property: name, value: value)])
        let outcome: ConfigurationWriter.Outcome
        do {
            outcome = try await writer.apply(file, by: principal)
        } catch let error as SignPeerError where error.message.hasPrefix("Line 1: ") {
            throw error.withMessage(String(error.message.dropFirst("Line 1: ".count)))
        }
        let message: String =
            switch (value, outcome.changed) {
            case (nil, true): "Property \(name) removed."
            case (nil, false): "Property \(name) was not set."
            case (_, true): "Property \(name) set."
            case (_, false): "Property \(name) unchanged."
            }
        return JSONResponse.make(OperationResult(changed: outcome.changed, message: message))
    }
}
