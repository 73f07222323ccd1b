import Hummingbird
import SignPeerServiceSupport

/// `signpeer-renewal`: owns crypto tokens and keys — activation, key generation, CSR signing,
/// certificate and chain installation. The only process where private keys live in memory.
@main
struct RenewalService {
    static func main() async {
        await ServiceMain.run(service: "signpeer-renewal") { environment, boot in
            let configuration = try RenewalConfiguration(environment: environment)
            let database = DatabaseService(settings: configuration.database, logger: boot.logger)
            try await database.migrate()
            let application = OperationsApplication.makeInternal(
                name: "signpeer-renewal", host: configuration.host, port: configuration.port,
                credential: configuration.credential, checks: [database.readinessCheck],
                metrics: boot.metrics, logger: boot.logger
            ) { router in
                ServiceInfoRoute.add(to: router, service: "renewal", database: database.client)
                TokenStatusRoute.add(to: router)
            }
            return [database, application]
        }
    }
}
