import Foundation
import SignPeerCore
import SignPeerHTTPClient
import Testing

/// The renewal service's routes in process: who may call them, and what a peer may touch.
@Suite("Renewal routes in process", .serialized)
struct RenewalRoutesTests {
    static let peer = InProcessRenewalService.principal([.peerSystem])
    static let admin = InProcessRenewalService.principal([.admin])
    static let signer = [
        PropertyName.type: "PROCESSABLE", PropertyName.cryptoTokenImplementation: "KeystoreInConfigCryptoToken",
        PropertyName.defaultKey: "key00001", PropertyName.keyAlgorithm: "Ed25519",
    ]

    static func errorCode(_ body: [UInt8]) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        return (object?["error"] as? [String: Any])?["code"] as? String
    }

    @Test func peerRoutesNeedThePeerSystemRoleAndAListedBinding() async throws {
        try await InProcessRenewalService.with { service in
            let hidden = try await service.makeWorker("Hidden", properties: Self.signer)
            let listed = try await service.makeWorker("Listed", properties: Self.signer.merging([PropertyName.peersVisible: "true"]) { a, _ in a })
            let activated = try await service.call(
                "POST", "/internal/v1/admin/workers/Listed/token/activate", json: #"{"code":"foo123"}"#, principal: Self.admin)
            #expect(activated.status == 200, "\(activated.bodyString)")

            for principal in [nil, Self.admin] {
                let refused = try await service.call("POST", "/internal/v1/workers/\(listed)/renewal", principal: principal)
                #expect(refused.status == 403 && Self.errorCode(refused.body) == "forbidden", "\(refused.bodyString)")
            }
            for id in [hidden, 999] {
                let missing = try await service.call("POST", "/internal/v1/workers/\(id)/renewal", principal: Self.peer)
                #expect(missing.status == 404 && Self.errorCode(missing.body) == "key_binding_not_found", "\(missing.bodyString)")
            }
            let renewed = try await service.call(
                "POST", "/internal/v1/workers/\(listed)/renewal", json: #"{"renewKeys":true}"#, principal: Self.peer)
            #expect(renewed.status == 200, "\(renewed.bodyString)")
            #expect(renewed.bodyString.contains("BEGIN CERTIFICATE REQUEST"))
            #expect(try await service.database.query(
                "SELECT value FROM worker_properties WHERE worker_id = $1 AND name = 'NEXTCERTSIGNKEY'", [.int(Int64(listed))]
            ).first?.decode(String.self, column: "value") == "key00002")
        }
    }

    @Test func theBatchedStatusNamesOnlyKnownKeysOfActiveTokens() async throws {
        try await InProcessRenewalService.with { service in
            let id = try await service.makeWorker("Status", properties: Self.signer)
            _ = try await service.call(
                "POST", "/internal/v1/admin/workers/Status/token/activate", json: #"{"code":"foo123"}"#, principal: Self.admin)
            _ = try await service.call(
                "POST", "/internal/v1/admin/workers/Status/token/keys",
                json: #"{"alias":"key00001","keyAlgorithm":"Ed25519"}"#, principal: Self.admin)
            let status = try await service.call(
                "POST", "/internal/v1/tokens/status",
                json: #"{"tokens":[{"workerId":\#(id),"aliases":["key00001","nope"]},{"workerId":4242,"aliases":["x"]}]}"#,
                principal: nil)
            #expect(status.status == 200, "\(status.bodyString)")
            let decoded = try JSONDecoder().decode(TokenStatusResponse.self, from: Data(status.body))
            #expect(decoded.tokens.map(\.active) == [true, false])
            #expect(decoded.tokens[0].keys.map(\.alias) == ["key00001"])
            #expect(decoded.tokens[0].keys.first?.algorithm == "Ed25519")
        }
    }

    @Test func everyRouteButTheOperationsOnesNeedsTheCredential() async throws {
        try await InProcessRenewalService.with { service in
            let http = HTTPClient()
            defer { http.shutdown() }
            let refused = try await http.execute(HTTPClientRequest(method: "POST", url: service.baseURL + "/internal/v1/tokens/status"))
            #expect(refused.status == 401 && Self.errorCode(refused.body) == "internal_credential_required")
            #expect(try await http.execute(HTTPClientRequest(url: service.baseURL + "/healthz")).status == 200)
        }
    }
}
