import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle
import SignPeerHTTPClient
import SignPeerServer
import SignPeerStore

/// `signpeer-gateway`: the only network-facing service. Terminates mutual TLS, authenticates
/// clients, checks roles and forwards to the internal services; also serves the operations port.
@main
struct Gateway {
    static func main() async {
        await ServiceMain.run(service: "signpeer-gateway") { environment, boot in
            let configuration = try GatewayConfiguration(environment: environment)
            let ejbcaPeer = try EJBCAPeerConfiguration(environment: environment)
            let tls = try GatewayTLS.serverConfiguration(configuration)
            let database = DatabaseService(
                settings: configuration.database, migrations: SignPeerSchema.migrations, logger: boot.logger)
            try await database.migrate()
            if let path = configuration.bootstrapAdminCertificatePath {
                try await BootstrapAdmin.apply(certificatePath: path, database: database.client, logger: boot.logger)
            }
            // As many kept-alive internal connections as peers are served at once (nginx keeps 16
            // idle upstream connections in the benchmark), so a burst of listings does not queue.
            let http = HTTPClient(configuration: .init(maxConnectionsPerHost: 32))
            let keyBindings = InternalServiceClient(
                name: "keybindings", baseURL: configuration.keyBindingsURL, credential: configuration.credential, http: http)
            let renewal = InternalServiceClient(
                name: "renewal", baseURL: configuration.renewalURL, credential: configuration.credential, http: http)

            let router = Router(context: GatewayRequestContext.self)
            router.add(middleware: RequestIDMiddleware())
            router.add(middleware: AccessLogMiddleware())
            router.add(middleware: ErrorMiddleware())
            router.add(middleware: RequestMetricsMiddleware())
            let routeMethods = RouteMethodTable()
            router.add(middleware: MethodNotAllowedMiddleware(table: routeMethods))
            let roleDirectory = RoleDirectory(database: database.client, ttl: configuration.roleCacheTTL)
            var recordingSettings = configuration.database
            recordingSettings.postgres.synchronousCommit = false
            recordingSettings.postgres.maxConnections = min(4, recordingSettings.postgres.maxConnections)
            let recordingDatabase = DatabaseService(settings: recordingSettings, migrations: [], logger: boot.logger)
            let registry = IncomingConnectionRegistry(database: database.client, recording: recordingDatabase.client)
            let recorder = IncomingRecorder(registry: registry, logger: boot.logger)
            let refusals = RefusalRecorder(
                ledger: RefusalLedger(
                    window: try environment.seconds("SIGNPEER_REFUSAL_WINDOW", default: .seconds(60), range: 1...3600)),
                accepted: recorder, database: database.client, logger: boot.logger)
            let revocations = try ClientRevocations.load(
                environment: environment, clientCAPath: configuration.clientCAPath, logger: boot.logger)
            let connections = ConnectionIdentities()
            let admission = ClientAdmission(revocations: revocations)
            router.add(
                middleware: AuthenticationMiddleware(
                    identities: ClientIdentityCache(), connections: connections, roles: roleDirectory,
                    admission: admission, refusals: refusals))
            let incoming = IncomingSwitch(registry: registry, ttl: configuration.roleCacheTTL)
            router.add(middleware: AdminChangeInvalidation(incoming: incoming))
            let listingVersions = ListingVersionWatch(configuration: database.client.configuration, logger: boot.logger)
            let listings = ListingCache(database: database.client, versions: listingVersions)
            router.add(middleware: ListingInvalidation(listings: listings))
            let whoamiAnswers = WhoamiAnswers()
            WhoamiRoute.add(to: router, answers: whoamiAnswers)
            PeerRoutes.add(
                to: router, recorder: recorder, keyBindings: Forwarder(service: keyBindings),
                renewal: Forwarder(service: renewal), listings: listings,
                incoming: incoming, refusals: refusals)
            EJBCAPeerRoutes.add(
                to: router, recorder: recorder, replies: EJBCAPeerReplyStore(database: database.client),
                keyBindings: Forwarder(service: keyBindings),
                renewal: Forwarder(service: renewal),
                node: try await EJBCAPeerNode.resolve(configured: ejbcaPeer.sourceId, database: database.client),
                incoming: incoming, refusals: refusals)
            let rules = RoleRuleStore(database: database.client, onChange: { roleDirectory.invalidate() })
            AdminRoutes.add(
                to: router, rules: rules, registry: registry, keyBindings: Forwarder(service: keyBindings),
                renewal: Forwarder(service: renewal))
            try AdminWebRoutes.add(
                to: router, rules: rules, registry: registry, keyBindings: keyBindings, database: database.client,
                credential: configuration.credential)
            AuditRoutes.add(to: router, database: database.client)
            routeMethods.load(from: router)
            let whoamiOnEventLoop = WhoamiOnEventLoop(
                connections: connections, admission: admission, roles: roleDirectory, answers: whoamiAnswers)
            let peerApplication = Application(
                router: router,
                // Each connection's requests run on its event loop: the gateway's handlers only check
                // caches and wait for the database, the internal services or its recorders; and a
                // kept-alive /whoami is answered there from memory, without entering the router.
                server: try .tls(
                    .guardedHTTP1(
                        boot.connections, tls: true, onEventLoop: true, answering: whoamiOnEventLoop,
                        serverName: "signpeer-gateway"),
                    tlsConfiguration: tls),
                configuration: boot.connections.applicationConfiguration(
                    host: configuration.host, port: configuration.port, serverName: "signpeer-gateway", logger: boot.logger),
                logger: boot.logger)

            let operations = OperationsApplication.make(
                name: "signpeer-gateway-ops", host: configuration.operationsHost, port: configuration.operationsPort,
                checks: [database.readinessCheck, keyBindings.readinessCheck, renewal.readinessCheck],
                metrics: boot.metrics, collectors: [database.poolCollector], logger: boot.logger,
                connections: boot.connections)
            // Shut down in reverse: the recorders write their pending counts before the databases close.
            var services: [any Service] = [
                database, recordingDatabase, HTTPClientService(client: http), refusals, recorder, listingVersions,
            ]
            if let revocations { services.append(revocations) }
            return services + [peerApplication, operations]
        }
    }
}
