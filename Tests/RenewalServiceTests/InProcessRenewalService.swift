import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import SignPeerCore
import SignPeerHTTPClient
import SignPeerPostgres
import SignPeerServer
import SignPeerStore
import SignPeerTestSupport

@testable import SignPeerRenewal

/// The renewal service's routes served inside the test process — the same router `main` builds,
/// on a loopback port of the system's choosing, with a fresh database on the shared throwaway
/// PostgreSQL — and called over HTTP with the service's own libcurl client. No process start, so
/// a route test costs milliseconds.
final class InProcessRenewalService: Sendable {
    let database: PostgresClient
    let tokens: TokenManager
    let baseURL: String
    let credential: InternalCredential
    private let http = HTTPClient()
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    static let token = String(repeating: "in-process-test-credential-", count: 2)

    init() async throws {
        let logger = Logger(label: "renewal-in-process")
        let url = try TemporaryPostgres.shared.createDatabase(name: "renewal_in_process")
        database = PostgresClient(configuration: PostgresConfiguration(connectionString: url), logger: logger)
        try await Migrator.run(SignPeerSchema.migrations, on: database, logger: logger)
        tokens = TokenManager(database: database, logger: logger)
        credential = try InternalCredential(secret: Self.token)
        let router = OperationsApplication.internalRouter(
            credential: credential, checks: [], metrics: PrometheusCollectorRegistry()
        ) { [database, tokens] router in
            RenewalService.addRoutes(to: router, database: database, tokens: tokens)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        self.group = group
        running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        baseURL = "http://127.0.0.1:\(await iterator.next() ?? 0)"
    }

    /// Runs `body` with a fresh service and stops it afterwards, also when `body` throws.
    static func with(_ body: (InProcessRenewalService) async throws -> Void) async throws {
        let service = try await InProcessRenewalService()
        do {
            try await body(service)
        } catch {
            await service.shutdown()
            throw error
        }
        await service.shutdown()
    }

    func shutdown() async {
        await group.triggerGracefulShutdown()
        _ = await running.result
        http.shutdown()
        await database.shutdown()
    }

    /// A call as the gateway makes it: the credential, a request id and (optionally) a principal.
    func call(_ method: String, _ path: String, json: String? = nil, principal: Principal?) async throws
        -> HTTPClientResponse
    {
        var headers: HTTPClientHeaders = [InternalHeaders.authorization: credential.authorizationHeader]
        if let principal { headers.add(name: InternalHeaders.principal, value: principal.headerValue()) }
        if json != nil { headers.add(name: "Content-Type", value: "application/json") }
        return try await http.execute(
            HTTPClientRequest(method: method, url: baseURL + path, headers: headers, body: json.map { Array($0.utf8) }))
    }

    /// A worker made directly through the Store, as a property file would make it.
    func makeWorker(_ name: String, properties: [String: String]) async throws -> Int {
        try await database.withTransaction { connection in
            let id = try await PropertyWriter.createWorker(id: nil, name: name, on: connection).id
            try await PropertyWriter.set(properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, worker: id, on: connection)
            return id
        }
    }

    static func principal(_ roles: [Role]) -> Principal {
        Principal(serialNumber: "1f", issuerDN: "CN=Test CA", subjectDN: "CN=Tester", fingerprintSHA256: "00", roles: roles)
    }
}
