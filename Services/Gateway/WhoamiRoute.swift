import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SignPeerCore
import SignPeerServer
import SignPeerStore

/// `GET /whoami`: any trusted client sees its principal as the gateway sees it (normalized
/// serial, issuer, subject, roles), so an operator can tell why a rule does not match.
enum WhoamiRoute {
    static func add(to router: Router<GatewayRequestContext>, answers: WhoamiAnswers) {
        router.get("/whoami") { _, context in
            JSONResponse.make(encoded: answers.body(for: try context.requirePrincipal()))
        }
    }
}

/// The encoded answer of each principal (by certificate and roles), made once: a client asks the
/// same question on every kept-alive request of a health check.
final class WhoamiAnswers: Sendable {
    private let bodies = BoundedCache<String, ByteBuffer>(capacity: 1_000)

    func body(for principal: Principal) -> ByteBuffer {
        let key = principal.fingerprintSHA256 + ":" + principal.roles.map(\.rawValue).joined(separator: ",")
        return bodies.value(for: key) { JSONResponse.encode(WhoamiResponse(principal)) }
    }
}

/// `GET /whoami` answered on the connection's event loop when everything it needs is in memory:
/// the connection's identity (known from its first request), a certificate that passes
/// ``ClientAdmission`` now, and roles that ``RoleDirectory`` holds within their time to live.
/// Otherwise the router answers, through ``AuthenticationMiddleware``, which also refuses and
/// audits: the answer is the same either way.
struct WhoamiOnEventLoop: EventLoopResponder {
    let connections: ConnectionIdentities
    let admission: ClientAdmission
    let roles: RoleDirectory
    let answers: WhoamiAnswers

    func answer(_ request: HTTPRequest, on channel: any Channel) -> EventLoopAnswer? {
        guard request.path == "/whoami", let identity = connections.identity(of: channel),
            admission.refusal(of: identity, at: Date()) == nil, let roles = roles.cachedRoles(for: identity)
        else { return nil }
        return EventLoopAnswer(
            headerFields: JSONResponse.headers, body: answers.body(for: identity.principal(roles: roles)),
            route: "/whoami")
    }
}
