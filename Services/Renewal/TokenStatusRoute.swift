import Hummingbird
import SignPeerCore
import SignPeerServiceSupport

/// `POST /internal/v1/tokens/status`: the batched token and key status the key-binding service
/// asks for once per listing.
///
/// No crypto token can be activated yet (token activation and key generation are the next step of
/// the renewal service), so every token is reported OFFLINE with no keys — the truthful answer,
/// which SPEC §5 lists as `cryptoTokenActive: false` with null key details.
enum TokenStatusRoute {
    static func add(to router: Router<BasicRequestContext>) {
        router.post("/internal/v1/tokens/status") { request, context in
            let batch = try await request.decode(as: TokenStatusRequest.self, context: context)
            return JSONResponse.make(
                TokenStatusResponse(tokens: batch.tokens.map { .init(workerId: $0.workerId, active: false, keys: []) }))
        }
    }
}
