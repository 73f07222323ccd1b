import Hummingbird
import NIOCore
import NIOPosix
import SignPeerCrypto
import SignPeerHTTPClient
import SignPeerServer
import SignPeerStore

/// `signpeer-keybindings`: owns workers, their properties and global configuration, and decides
/// which workers are exposed to peers and how they are listed. Reachable only with the internal
/// credential.
@main
struct KeyBindingsService {
    static func main() async {
        // As in the gateway: Swift concurrency on NIO's event loops, so a listing does not hop
        // between thread pools; nothing here blocks a thread (libpq and libcurl have their own).
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await ServiceMain.run(service: "signpeer-keybindings") { environment, boot in
            let configuration = try KeyBindingsConfiguration(environment: environment)
            let database = DatabaseService(
                settings: configuration.database, migrations: SignPeerSchema.migrations, logger: boot.logger)
            try await database.migrate()
            let http = HTTPClient(configuration: .init(maxConnectionsPerHost: 32))
            let renewal = InternalServiceClient(
                name: "renewal", baseURL: configuration.renewalURL, credential: configuration.credential, http: http)
            let repository = WorkerStore(database: database.client)
            let certificates = CertificateCache()
            let expiry = CertificateExpiryCollector(repository: repository, certificates: certificates)
            let application = OperationsApplication.makeInternal(
                name: "signpeer-keybindings", host: configuration.host, port: configuration.port,
                credential: configuration.credential, checks: [database.readinessCheck, renewal.readinessCheck],
                metrics: boot.metrics, collectors: [database.poolCollector, expiry.collect], logger: boot.logger,
                connections: boot.connections
            ) { router in
                ServiceInfoRoute.add(to: router, service: "keybindings", database: database.client)
                KeyBindingRoutes.add(
                    to: router, lister: KeyBindingLister(repository: repository, renewal: renewal, certificates: certificates))
                AdminRoutes.add(
                    to: router, repository: repository, writer: ConfigurationWriter(database: database.client),
                    status: WorkerStatusReporter(repository: repository, renewal: renewal, certificates: certificates))
            }
            return [database, HTTPClientService(client: http), application]
        }
    }
}
