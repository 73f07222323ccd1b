import Foundation
import Hummingbird
import SignPeerCore
import SignPeerServiceSupport

/// The renewal service's internal API: the batched token status for listings, and the two
/// renewal steps the gateway forwards for a listed binding (SPEC §7, §8).
enum RenewalRoutes {
    static func add(
        to router: Router<BasicRequestContext>, tokens: TokenManager, preparation: RenewalPreparation,
        installation: CertificateInstallation
    ) {
        router.post("/internal/v1/tokens/status") { request, context in
            let batch = try await request.decode(as: TokenStatusRequest.self, context: context)
            return JSONResponse.make(await tokens.status(batch))
        }
        router.post("/internal/v1/workers/{id}/renewal") { request, context in
            let id = try KeyBindingID.parse(context.parameters.get("id"))
            let buffer = try await request.body.collect(upTo: 1024 * 1024)
            let renewKeys = try RenewalRequestBody.renewKeys(from: Array(buffer.readableBytesView))
            do {
                let response = try await preparation.prepare(
                    workerID: id, renewKeys: renewKeys, principal: request.forwardedPrincipal)
                RenewalMetrics.renewal(outcome: "prepared")
                return JSONResponse.make(response)
            } catch let error as SignPeerError {
                RenewalMetrics.renewal(outcome: error.code.rawValue)
                throw error
            }
        }
        router.put("/internal/v1/workers/{id}/certificate") { request, context in
            let id = try KeyBindingID.parse(context.parameters.get("id"))
            let bytes = Array(try await request.body.collect(upTo: 1024 * 1024).readableBytesView)
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            let input: CertificateInstallation.Input =
                contentType.hasPrefix("application/pkix-cert") ? .der(bytes) : .pemChain(bytes)
            try await installation.install(workerID: id, input: input, principal: request.forwardedPrincipal)
            return JSONResponse.make(OperationResult(changed: true, message: "Certificate installed."))
        }
    }
}
