import Hummingbird
import SignPeerCore
import SignPeerPostgres

/// `GET /internal/v1/info` on an internal service: its name, product version and the schema
/// version it sees — a credential-protected call the gateway and operators use to check wiring.
public enum ServiceInfoRoute {
    struct Info: Codable {
        var service: String
        var version: String
        var schemaVersion: Int
    }

    public static func add(to router: Router<BasicRequestContext>, service: String, database: PostgresClient) {
        router.get("/internal/v1/info") { _, _ in
            let rows = try await database.query("SELECT coalesce(max(version), 0) AS version FROM schema_migrations")
            let schemaVersion = try rows.first?.decode(Int.self, column: "version") ?? 0
            return JSONResponse.make(Info(service: service, version: ProductVersion.current, schemaVersion: schemaVersion))
        }
    }
}
