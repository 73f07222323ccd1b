import Hummingbird
import SignPeerCore
import SignPeerServer
import SignPeerStore

/// Peer API v1 (SPEC §8) behind ``PeerAccessMiddleware``. Listing goes to the key-binding
/// service, or is answered from the ``ListingCache`` while nothing changed; the OpenAPI description is served to any trusted client without touching the registry.
enum PeerRoutes {
    struct Ping: Codable {
        var status = "ALLOK"
        var version = ProductVersion.current
    }

    static func add(
        to router: Router<GatewayRequestContext>, recorder: IncomingRecorder, keyBindings: Forwarder,
        renewal: Forwarder, listings: ListingCache, incoming: IncomingSwitch, refusals: RefusalRecorder
    ) {
        router.get("/peer/v1/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: PeerOpenAPI.document)))
        }
        let peer = router.group("/peer/v1")
            .add(middleware: PeerMetricsMiddleware())
            .add(middleware: PeerAccessMiddleware(recorder: recorder, incoming: incoming, refusals: refusals))
        peer.get("/ping") { _, _ in JSONResponse.make(Ping()) }
        peer.get("/keybindings") { request, context in
            try await listings.listing { try await keyBindings.answer(request, context: context, to: "/internal/v1/keybindings") }
        }
        peer.get("/keybindings/{id}") { request, context in
            let id = try KeyBindingID.parse(context.parameters.get("id"))
            return try await keyBindings.forward(request, context: context, to: "/internal/v1/keybindings/\(id)")
        }
        // One forward each: the renewal service checks, inside the transaction that locks the
        // worker, that the binding is listed (404 `key_binding_not_found`), and an install answers
        // the updated binding itself.
        peer.post("/keybindings/{id}/renewal") { request, context in
            let id = try KeyBindingID.parse(context.parameters.get("id"))
            try PeerContentTypes.require(PeerContentTypes.renewal, of: request, bodyOptional: true)
            return try await renewal.forward(request, context: context, to: "/internal/v1/workers/\(id)/renewal")
        }
        peer.put("/keybindings/{id}/certificate") { request, context in
            let id = try KeyBindingID.parse(context.parameters.get("id"))
            try PeerContentTypes.require(PeerContentTypes.install, of: request)
            return try await renewal.forward(request, context: context, to: "/internal/v1/workers/\(id)/certificate")
        }
    }
}
