import Hummingbird
import SignPeerCore
import SignPeerServer
import SignPeerStore

/// The admin API (`/admin/v1/...`, Admin role; table in `AdminAPI`). Role rules and the
/// incoming-connection registry belong to the gateway and are handled here; worker and property
/// configuration is forwarded to the key-binding service.
enum AdminRoutes {
    static func add(
        to router: Router<GatewayRequestContext>, rules: RoleRuleStore, registry: IncomingConnectionRegistry,
        keyBindings: Forwarder, renewal: Forwarder
    ) {
        let admin = router.group("/admin/v1").add(middleware: RequireRole(.admin))

        admin.get("/roles/{role}") { _, context in
            let role = try role(context)
            return JSONResponse.make(RoleRuleList(role: role, rules: try await rules.rules(for: role)))
        }
        admin.post("/roles/{role}/rules") { request, context in
            let role = try role(context)
            let key = try RoleRuleStore.key(from: try await request.decode(as: RoleRuleRequest.self, context: context))
            let added = try await rules.add(key, to: role, by: try context.requirePrincipal(), logger: context.logger)
            return JSONResponse.make(OperationResult(changed: added, message: added ? "Rule added" : "Rule already exists"))
        }
        admin.post("/roles/{role}/rules/remove") { request, context in
            let role = try role(context)
            let key = try RoleRuleStore.key(from: try await request.decode(as: RoleRuleRequest.self, context: context))
            let removed = try await rules.remove(key, from: role, by: try context.requirePrincipal(), logger: context.logger)
            return JSONResponse.make(OperationResult(changed: removed, message: removed ? "Rule removed" : "No such rule"))
        }

        admin.get("/incoming") { _, _ in
            JSONResponse.make(IncomingConnectionList(connections: try await registry.list()))
        }
        admin.post("/incoming/clear") { request, context in
            let key = try RoleRuleStore.key(from: try await request.decode(as: RoleRuleRequest.self, context: context))
            try await registry.clear(
                serialNumber: key.serialNumber, issuerMatch: key.issuer.matchKey, by: try context.requirePrincipal())
            return JSONResponse.make(OperationResult(changed: true, message: "Incoming connection cleared"))
        }
        admin.post("/incoming/authorize") { request, context in
            let key = try RoleRuleStore.key(from: try await request.decode(as: RoleRuleRequest.self, context: context))
            let added = try await rules.authorize(
                key, from: registry, by: try context.requirePrincipal(), logger: context.logger)
            return JSONResponse.make(OperationResult(changed: added, message: added ? "Rule added" : "Rule already exists"))
        }

        // Worker and property configuration: the key-binding service owns it.
        for path in ["/properties", "/reload"] {
            admin.post(RouterPath(path)) { request, context in
                try await keyBindings.forward(request, context: context, to: "/internal/v1/admin" + path)
            }
        }
        for path in ["/workers", "/global"] {
            admin.get(RouterPath(path)) { request, context in
                try await keyBindings.forward(request, context: context, to: "/internal/v1/admin" + path)
            }
        }
        admin.get("/workers/{ref}") { request, context in
            try await keyBindings.forward(request, context: context, to: "/internal/v1/admin/workers/\(try reference(context))")
        }
        admin.delete("/workers/{ref}") { request, context in
            try await keyBindings.forward(request, context: context, to: "/internal/v1/admin/workers/\(try reference(context))")
        }
        for method in [HTTPRequest.Method.put, .delete] {
            admin.on("/workers/{ref}/properties/{property}", method: method) { request, context in
                try await keyBindings.forward(
                    request, context: context,
                    to: "/internal/v1/admin/workers/\(try reference(context))/properties/\(try property(context))")
            }
            admin.on("/global/properties/{property}", method: method) { request, context in
                try await keyBindings.forward(
                    request, context: context, to: "/internal/v1/admin/global/properties/\(try property(context))")
            }
        }

        // Crypto tokens, keys, CSRs and certificate uploads: the renewal service owns them.
        let tokenRoutes: [(String, HTTPRequest.Method)] = [
            ("/token/activate", .post), ("/token/deactivate", .post), ("/token/keys", .get), ("/token/keys", .post),
            ("/token/export", .post), ("/csr", .post), ("/certificate", .put), ("/certificatechain", .put),
        ]
        for (path, method) in tokenRoutes {
            admin.on(RouterPath("/workers/{ref}" + path), method: method) { request, context in
                try await renewal.forward(
                    request, context: context, to: "/internal/v1/admin/workers/\(try reference(context))" + path)
            }
        }
        for (suffix, method) in [("", HTTPRequest.Method.delete), ("/test", .post)] {
            admin.on(RouterPath("/workers/{ref}/token/keys/{alias}" + suffix), method: method) { request, context in
                let alias = try context.parameters.require("alias")
                guard WorkerReference.isValid(alias) else {
                    throw SignPeerError.keyNotFound("No key '\(alias.prefix(64))'.")
                }
                return try await renewal.forward(
                    request, context: context,
                    to: "/internal/v1/admin/workers/\(try reference(context))/token/keys/\(alias)" + suffix)
            }
        }
    }

    static func role(_ context: GatewayRequestContext) throws -> Role {
        guard let role = AdminAPI.role(fromPath: try context.parameters.require("role")) else {
            throw SignPeerError.notFound("Unknown role list: use peersystems, admins, auditors or archiveauditors.")
        }
        return role
    }

    /// Path segments are re-checked before they go into an internal URL.
    static func reference(_ context: GatewayRequestContext) throws -> String {
        let reference = try context.parameters.require("ref")
        guard WorkerReference.isValid(reference) else {
            throw SignPeerError.workerNotFound("No worker '\(reference.prefix(64))'.")
        }
        return reference
    }

    static func property(_ context: GatewayRequestContext) throws -> String {
        try PropertyName.canonical(try context.parameters.require("property"))
    }
}
