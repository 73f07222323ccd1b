import Hummingbird
import SignPeerCrypto
import SignPeerPostgres
import SignPeerServer
import SignPeerStore

/// `signpeer-renewal`: owns crypto tokens and keys — activation, key generation, CSR signing,
/// certificate and chain installation. The only process where private keys live in memory.
@main
struct RenewalService {
    static func main() async {
        await ServiceMain.run(service: "signpeer-renewal") { environment, boot in
            let configuration = try RenewalConfiguration(environment: environment)
            let database = DatabaseService(
                settings: configuration.database, migrations: SignPeerSchema.migrations, logger: boot.logger)
            try await database.migrate()
            let tokens = TokenManager(
                database: database.client, logger: boot.logger, pkcs11: try PKCS11Configuration(environment: environment))
            let application = OperationsApplication.makeInternal(
                name: "signpeer-renewal", host: configuration.host, port: configuration.port,
                credential: configuration.credential, checks: [database.readinessCheck],
                metrics: boot.metrics, collectors: [database.poolCollector, { await tokens.recordActiveTokens() }],
                logger: boot.logger, connections: boot.connections
            ) { router in
                addRoutes(to: router, database: database.client, tokens: tokens)
            }
            await tokens.autoActivate(secretsDirectory: configuration.tokenSecretsDirectory)
            return [database, application]
        }
    }

    /// The service's own routes (behind the internal credential), for `main` and in-process tests.
    static func addRoutes(to router: Router<BasicRequestContext>, database: PostgresClient, tokens: TokenManager) {
        ServiceInfoRoute.add(to: router, service: "renewal", database: database)
        RenewalRoutes.add(
            to: router, tokens: tokens, preparation: RenewalPreparation(database: database, tokens: tokens),
            installation: CertificateInstallation(database: database, tokens: tokens, certificates: CertificateCache()))
        TokenAdminRoutes.add(to: router, tokens: tokens, database: database)
        TokenExportRoute.add(to: router, tokens: tokens, database: database)
    }
}
