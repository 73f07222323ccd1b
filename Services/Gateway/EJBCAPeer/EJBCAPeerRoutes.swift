import Hummingbird
import SignPeerStore

/// Registers the EJBCA peer protocol endpoint (SPEC §12) on the TLS port.
enum EJBCAPeerRoutes {
    static func add(
        to router: Router<GatewayRequestContext>, recorder: IncomingRecorder, replies: EJBCAPeerReplyStore, keyBindings: Forwarder,
        renewal: Forwarder, node: EJBCAPeerNode, incoming: IncomingSwitch, refusals: RefusalRecorder
    ) {
        let endpoint = EJBCAPeerEndpoint(
            recorder: recorder, incoming: incoming, refusals: refusals,
            dispatcher: EJBCAPeerDispatcher(operations: EJBCAPeerOperations(keyBindings: keyBindings, renewal: renewal)),
            replies: replies, node: node)
        router.post(.init(EJBCAPeerEndpoint.path)) { request, context in
            try await endpoint.handle(request, context: context)
        }
        // SignServer's liveness text, for load balancers and browsers; EJBCA itself only POSTs.
        router.get(.init(EJBCAPeerEndpoint.path)) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=UTF-8"],
                body: .init(byteBuffer: ByteBuffer(string: "ALLOK")))
        }
    }
}
