import Hummingbird
import SignPeerCore
import SignPeerServer
import SignPeerStore

/// `GET /whoami`: any trusted client sees its principal as the gateway sees it (normalized
/// serial, issuer, subject, roles), so an operator can tell why a rule does not match.
///
/// The answer of a principal is encoded once and kept (by certificate and roles): a client asks
/// the same question on every kept-alive request of a health check.
enum WhoamiRoute {
    static func add(to router: Router<GatewayRequestContext>) {
        let answers = BoundedCache<String, ByteBuffer>(capacity: 1_000)
        router.get("/whoami") { _, context in
            let principal = try context.requirePrincipal()
            let key = principal.fingerprintSHA256 + ":" + principal.roles.map(\.rawValue).joined(separator: ",")
            return JSONResponse.make(
                encoded: answers.value(for: key) { JSONResponse.encode(WhoamiResponse(principal)) })
        }
    }
}
