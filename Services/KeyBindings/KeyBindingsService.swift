import Hummingbird
import SignPeerHTTPClient
import SignPeerServiceSupport

/// `signpeer-keybindings`: owns workers, their properties and global configuration, and decides
/// which workers are exposed to peers and how they are listed. Reachable only with the internal
/// credential.
@main
struct KeyBindingsService {
    static func main() async {
        await ServiceMain.run(service: "signpeer-keybindings") { environment, boot in
            let configuration = try KeyBindingsConfiguration(environment: environment)
            let database = DatabaseService(settings: configuration.database, logger: boot.logger)
            try await database.migrate()
            let http = HTTPClient()
            let renewal = InternalServiceClient(
                name: "renewal", baseURL: configuration.renewalURL, credential: configuration.credential, http: http)
            let application = OperationsApplication.makeInternal(
                name: "signpeer-keybindings", host: configuration.host, port: configuration.port,
                credential: configuration.credential, checks: [database.readinessCheck, renewal.readinessCheck],
                metrics: boot.metrics, logger: boot.logger
            ) { router in
                ServiceInfoRoute.add(to: router, service: "keybindings", database: database.client)
            }
            return [database, HTTPClientService(client: http), application]
        }
    }
}
