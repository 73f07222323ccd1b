import Foundation
import Hummingbird
import SignPeerCore
import SignPeerServer
import SignPeerStore

/// The renewal service's internal API: the batched token status for listings, and the two
/// renewal steps the gateway forwards for a listed binding (SPEC §7, §8). The renewal steps
/// require the forwarded principal to hold the Peer System role and re-check, inside their
/// transaction, that the binding is listed (404 `key_binding_not_found` otherwise).
enum RenewalRoutes {
    static func add(
        to router: Router<BasicRequestContext>, tokens: TokenManager, preparation: RenewalPreparation,
        installation: CertificateInstallation
    ) {
        router.post("/internal/v1/tokens/status") { request, context in
            let batch = try await request.decode(as: TokenStatusRequest.self, context: context)
            return JSONResponse.make(await tokens.status(batch))
        }
        let peer = router.group("/internal/v1/workers").add(middleware: RequireForwardedRole(.peerSystem))
        peer.post("/{id}/renewal") { request, context in
            let id = try KeyBindingID.parse(context.parameters.get("id"))
            let buffer = try await request.body.collect(upTo: Limits.requestBody)
            let body: RenewalRequest =
                buffer.readableBytes == 0
                ? RenewalRequest(renewKeys: nil)
                : try JSONDecoder.signPeer.decode(RenewalRequest.self, from: Data(buffer.readableBytesView))
            do {
                let response = try await preparation.prepare(
                    workerID: id, renewKeys: body.renewKeys ?? false, principal: request.forwardedPrincipal)
                RenewalMetrics.renewal(outcome: "prepared")
                return JSONResponse.make(response)
            } catch let error as SignPeerError {
                RenewalMetrics.renewal(outcome: error.code.rawValue)
                throw error
            }
        }
        peer.put("/{id}/certificate") { request, context in
            let id = try KeyBindingID.parse(context.parameters.get("id"))
            let bytes = Array(try await request.body.collect(upTo: Limits.requestBody).readableBytesView)
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            let input: CertificateInstallation.Input =
                contentType.hasPrefix("application/pkix-cert") ? .der(bytes) : .pemChain(bytes)
            return JSONResponse.make(
                try await installation.install(workerID: id, input: input, principal: request.forwardedPrincipal))
        }
    }
}
