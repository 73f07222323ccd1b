import Foundation
import Hummingbird
import SignPeerCore
import SignPeerPostgres
import SignPeerServer
import SignPeerStore

/// The Admin Web (SPEC §9.2) at `/admin/`, for the Admin role: server-rendered pages over the
/// same stores and internal calls as the JSON admin API, so every change writes the same audit
/// rows. GET never changes anything; every POST carries a ``CSRFToken`` and answers with a 303
/// back to its page.
///
/// | route | does |
/// |---|---|
/// | `GET /admin/` | Peer Systems: incoming switch, incoming connections, Peer System rules |
/// | `GET /admin/workers` | workers with token, exposure, keys and certificate |
/// | `GET /admin/audit?event=&worker=` | the latest audit events |
/// | `POST /admin/peers/incoming` | `enabled=true|false` → global `PEERS_INCOMING_ENABLED` |
/// | `POST /admin/peers/authorize` | Peer System rule for a registry row |
/// | `POST /admin/peers/clear` | hides a registry row |
/// | `POST /admin/peers/rules/add`, `/admin/peers/rules/remove` | a Peer System rule by serial + issuer |
/// | `GET /admin/static/admin.css`, `/admin/static/favicon.svg` | style sheet and icon (any authenticated client) |
struct AdminWebRoutes: Sendable {
    let rules: RoleRuleStore
    let registry: IncomingConnectionRegistry
    let keyBindings: InternalServiceClient
    let database: PostgresClient
    let csrf: CSRFToken
    let pages: AdminWebPages

    static let auditLimit = 200
    static let maxFormSize = 64 * 1024

    static func add(
        to router: Router<GatewayRequestContext>, rules: RoleRuleStore, registry: IncomingConnectionRegistry,
        keyBindings: InternalServiceClient, database: PostgresClient, credential: InternalCredential
    ) throws {
        let web = AdminWebRoutes(
            rules: rules, registry: registry, keyBindings: keyBindings, database: database,
            csrf: CSRFToken(key: credential.derivedKey(purpose: "admin-web-csrf")), pages: try AdminWebPages())
        let group = router.group("/admin").add(middleware: AdminWebMiddleware.contentSecurity)
            .add(middleware: AdminWebMiddleware(pages: web.pages))
        group.get("/static/admin.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: Templates.styleSheet)))
        }
        group.get("/static/favicon.svg") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "image/svg+xml"],
                body: .init(byteBuffer: ByteBuffer(string: Templates.favicon)))
        }
        let admin = group.group().add(middleware: RequireRole(.admin))
        admin.get { request, context in try await web.peersPage(request, context) }
        admin.get("/workers") { _, context in try await web.workersPage(context) }
        admin.get("/audit") { request, context in try await web.auditPage(request, context) }
        admin.post("/peers/incoming") { request, context in try await web.setIncoming(request, context) }
        admin.post("/peers/authorize") { request, context in try await web.authorize(request, context) }
        admin.post("/peers/clear") { request, context in try await web.clear(request, context) }
        admin.post("/peers/rules/add") { request, context in try await web.addRule(request, context) }
        admin.post("/peers/rules/remove") { request, context in try await web.removeRule(request, context) }
    }

    // MARK: Pages

    func peersPage(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        struct View {
            let csrf: String, incomingEnabled: Bool, connections: [IncomingConnection], rules: [RoleRule]
        }
        let principal = try context.requirePrincipal()
        let global = try await keyBindings.call(
            "GET", "/internal/v1/admin/global", requestID: context.requestID, principal: principal,
            as: WorkerConfig.self)
        let enabled = PropertyName.isTrue(global.properties[PropertyName.peersIncomingEnabled])
        let view = View(
            csrf: csrf.token(for: principal.fingerprintSHA256), incomingEnabled: enabled,
            connections: try await registry.list(), rules: try await rules.rules(for: .peerSystem))
        return pages.page(.peers, view: view, principal: principal, notice: notice(request))
    }

    func workersPage(_ context: GatewayRequestContext) async throws -> Response {
        struct Row {
            let id: Int, name: String, type: String, hasToken: Bool, tokenStatus: String, tokenClass: String,
                usesOtherToken: Bool, tokenWorkerName: String, exposedToPeers: Bool, disabled: Bool, keyAlias: String, nextKeyAlias: String,
                certificateSubject: String, certificateNotAfter: String, issuedByPeer: Bool
        }
        let principal = try context.requirePrincipal()
        let list = try await keyBindings.call(
            "GET", "/internal/v1/admin/workers", requestID: context.requestID, principal: principal,
            as: WorkerStatusList.self)
        let rows = list.workers.map { worker in
            Row(
                id: worker.id, name: worker.name, type: worker.type, hasToken: worker.tokenStatus != nil,
                tokenStatus: worker.tokenStatus ?? "", tokenClass: worker.tokenStatus == "ACTIVE" ? "on" : "off",
                usesOtherToken: worker.tokenWorkerName.map { $0 != worker.name } ?? false,
                tokenWorkerName: worker.tokenWorkerName ?? "",
                exposedToPeers: worker.exposedToPeers, disabled: worker.disabled, keyAlias: worker.keyAlias ?? "—",
                nextKeyAlias: worker.nextKeyAlias ?? "—", certificateSubject: worker.certificateSubject ?? "—",
                certificateNotAfter: worker.certificateNotAfter ?? "—", issuedByPeer: worker.issuedByPeer)
        }
        struct View { let workers: [Row] }
        return pages.page(.workers, view: View(workers: rows), principal: principal)
    }

    func auditPage(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        let event = query["event"].map(String.init).flatMap { $0.isEmpty ? nil : $0.uppercased() }
        let worker = query["worker"].map { String($0).trimmingCharacters(in: .whitespaces) }.flatMap {
            $0.isEmpty ? nil : $0
        }
        if let event, event.count > 64 || !event.allSatisfy({ $0.isLetter || $0 == "_" }) {
            throw SignPeerError.invalidRequest("Unknown event filter.")
        }
        if let worker, !WorkerReference.isValid(worker) {
            throw SignPeerError.invalidRequest("A worker filter is a worker id or name.")
        }
        let entries = try await AuditLog.list(limit: Self.auditLimit, event: event, worker: worker, in: database)
        struct Row {
            let seq: Int, time: String, event: String, outcome: String, outcomeClass: String, principal: String,
                worker: String, details: [DetailItem]
        }
        struct Event { let name: String, selected: Bool }
        struct View { let events: [Event], worker: String, limit: Int, entries: [Row] }
        var names = Self.eventNames
        if let event, !names.contains(event) { names.append(event) }
        let view = View(
            events: names.map { Event(name: $0, selected: $0 == event) }, worker: worker ?? "", limit: Self.auditLimit,
            entries: entries.map { entry in
                Row(
                    seq: entry.seq, time: entry.time, event: entry.event, outcome: entry.outcome,
                    outcomeClass: entry.outcome == "SUCCESS" ? "on" : "off",
                    principal: entry.principalSubject ?? "—",
                    worker: entry.workerName.map { name in entry.workerId.map { "\(name) (\($0))" } ?? name }
                        ?? entry.workerId.map(String.init) ?? "",
                    details: Self.detailItems(entry.details))
            })
        return pages.page(.audit, view: view, principal: principal)
    }

    struct DetailItem { let key: String, value: String }

    /// An audit row's details (a flat JSON object) as key/value lines; raw text if it is not one.
    static func detailItems(_ json: String) -> [DetailItem] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            return [DetailItem(key: "", value: json)]
        }
        return object.keys.sorted().map { DetailItem(key: $0, value: "\(object[$0] ?? "")") }
    }

    /// The events the filter offers (SPEC §10).
    static let eventNames: [String] = [
        AuditEvent.Name.peerRequestDenied, .ruleAdded, .ruleRemoved, .incomingCleared, .propertySet, .propertyRemoved,
        .workerRemoved, .tokenActivated, .tokenDeactivated, .tokenActivationFailed, .keyGenerated, .keyRemoved,
        .csrGenerated, .certificateInstalled, .certificateRefused,
    ].map(\.rawValue)

    // MARK: Forms

    struct ToggleForm: Decodable { var csrf: String?, enabled: String? }
    struct RuleForm: Decodable { var csrf: String?, serialNumber: String?, issuerDN: String? }

    func setIncoming(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (form, principal) = try await checkedForm(ToggleForm.self, request, context)
        guard let value = form.enabled?.lowercased(), value == "true" || value == "false" else {
            throw SignPeerError.invalidRequest("enabled must be true or false.")
        }
        let _: OperationResult = try await keyBindings.call(
            "PUT", "/internal/v1/admin/global/properties/PEERS_INCOMING_ENABLED", body: PropertyValue(value: value),
            requestID: context.requestID, principal: principal)
        context.logger.notice("incoming connections switched", metadata: ["enabled": .string(value)])
        return redirect(.peers, done: value == "true" ? "incoming-on" : "incoming-off")
    }

    func authorize(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (form, principal) = try await checkedForm(RuleForm.self, request, context)
        let added = try await rules.authorize(try ruleKey(form), from: registry, by: principal, logger: context.logger)
        return redirect(.peers, done: added ? "authorized" : "exists")
    }

    func clear(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (form, principal) = try await checkedForm(RuleForm.self, request, context)
        let key = try ruleKey(form)
        try await registry.clear(serialNumber: key.serialNumber, issuerMatch: key.issuer.matchKey, by: principal)
        return redirect(.peers, done: "cleared")
    }

    func addRule(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (form, principal) = try await checkedForm(RuleForm.self, request, context)
        let key = try ruleKey(form)
        let added = try await rules.add(key, to: .peerSystem, by: principal, logger: context.logger)
        return redirect(.peers, done: added ? "added" : "exists")
    }

    func removeRule(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (form, principal) = try await checkedForm(RuleForm.self, request, context)
        let key = try ruleKey(form)
        let removed = try await rules.remove(key, from: .peerSystem, by: principal, logger: context.logger)
        return redirect(.peers, done: removed ? "removed" : "nosuchrule")
    }

    /// Reads a url-encoded form and checks its CSRF token before anything else happens.
    private func checkedForm<Form: Decodable>(
        _ type: Form.Type, _ request: Request, _ context: GatewayRequestContext
    ) async throws -> (Form, Principal) where Form: CSRFCarrying {
        let principal = try context.requirePrincipal()
        let body = try await request.body.collect(upTo: Self.maxFormSize)
        let form: Form
        do {
            form = try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))
        } catch {
            throw SignPeerError.invalidRequest("The form could not be read.")
        }
        guard csrf.isValid(form.csrf, for: principal.fingerprintSHA256) else {
            context.logger.notice("admin web form refused: missing or invalid CSRF token")
            throw SignPeerError.forbidden("The form has expired or did not come from this Admin Web. Reload the page and try again.")
        }
        return (form, principal)
    }

    private func ruleKey(_ form: RuleForm) throws -> RoleRuleStore.Key {
        try RoleRuleStore.key(from: RoleRuleRequest(serialNumber: form.serialNumber, issuerDN: form.issuerDN))
    }

    private func redirect(_ page: AdminWebPages.Page, done: String) -> Response {
        Response(status: .seeOther, headers: [.location: page.path + "?done=" + done])
    }

    /// The message for `?done=` after a redirect: a fixed text per key, never the query itself.
    private func notice(_ request: Request) -> String? {
        guard let key = request.uri.queryParameters["done"] else { return nil }
        return Self.notices[String(key)]
    }

    static let notices: [String: String] = [
        "incoming-on": "Incoming connections are now allowed.",
        "incoming-off": "Incoming connections are now refused.",
        "authorized": "Peer System rule added for that certificate.",
        "added": "Rule added.",
        "exists": "Rule already exists.",
        "cleared": "Incoming connection cleared.",
        "removed": "Rule removed.",
        "nosuchrule": "No such rule.",
    ]
}

protocol CSRFCarrying { var csrf: String? { get } }
extension AdminWebRoutes.ToggleForm: CSRFCarrying {}
extension AdminWebRoutes.RuleForm: CSRFCarrying {}
