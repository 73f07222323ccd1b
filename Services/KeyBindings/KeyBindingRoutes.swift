import Hummingbird
import SignPeerCore
import SignPeerServer
import SignPeerStore

/// `GET /internal/v1/keybindings[/{id}]`: the listing the gateway serves to peers (SPEC §5).
enum KeyBindingRoutes {
    static func add(to router: Router<BasicRequestContext>, lister: KeyBindingLister) {
        router.get("/internal/v1/keybindings") { _, context in
            JSONResponse.make(KeyBindingList(keyBindings: try await lister.list(requestID: context.requestID)))
        }
        router.get("/internal/v1/keybindings/{id}") { _, context in
            let id = try KeyBindingID.parse(context.parameters.get("id"))
            return JSONResponse.make(try await lister.binding(id: id, requestID: context.requestID))
        }
    }
}
