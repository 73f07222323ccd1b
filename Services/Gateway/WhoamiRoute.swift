import Hummingbird
import SignPeerCore
import SignPeerServer
import SignPeerStore

/// `GET /whoami`: any trusted client sees its principal as the gateway sees it (normalized
/// serial, issuer, subject, roles), so an operator can tell why a rule does not match.
enum WhoamiRoute {
    static func add(to router: Router<GatewayRequestContext>) {
        router.get("/whoami") { _, context in
            JSONResponse.make(WhoamiResponse(try context.requirePrincipal()))
        }
    }
}
