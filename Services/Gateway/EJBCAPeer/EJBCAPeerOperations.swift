import SignPeerCore
import SignPeerServer

/// The key-binding operations behind the binary front door: the **same** internal calls the JSON
/// peer API makes (listing of SPEC §5, prepare renewal §7.1, install §7.2), with the caller's
/// principal, so listing rules, checks, audit rows and metrics of the internal services apply
/// unchanged whichever protocol the CA speaks.
struct EJBCAPeerOperations: Sendable {
    let keyBindings: Forwarder
    let renewal: Forwarder

    /// What the CA sent in an UPDATE, with the content type the renewal service reads it by.
    enum Certificate: Sendable {
        case der([UInt8])
        case pemChain(String)
    }

    func listing(_ context: GatewayRequestContext) async throws -> [KeyBinding] {
        let list: KeyBindingList = try await keyBindings.service.call(
            .get, "/internal/v1/keybindings", requestID: context.requestID, principal: try context.requirePrincipal())
        return list.keyBindings
    }

    func prepareRenewal(id: Int, renewKeys: Bool, _ context: GatewayRequestContext) async throws -> RenewalResponse {
        try requirePossibleWorkerID(id)
        return try await renewal.service.call(
            .post, "/internal/v1/workers/\(id)/renewal", body: RenewalRequest(renewKeys: renewKeys),
            requestID: context.requestID, principal: try context.requirePrincipal())
    }

    /// Returns once the install committed.
    func install(id: Int, certificate: Certificate, _ context: GatewayRequestContext) async throws {
        try requirePossibleWorkerID(id)
        let (body, contentType): ([UInt8], String) =
            switch certificate {
            case .der(let der): (der, "application/pkix-cert")
            case .pemChain(let pem): (Array(pem.utf8), "application/pem-certificate-chain")
            }
        let response = try await renewal.service.send(
            .put, "/internal/v1/workers/\(id)/certificate", body: body, contentType: contentType,
            requestID: context.requestID, principal: try context.requirePrincipal())
        try InternalServiceClient.throwIfError(response, service: renewal.service.name)
    }

    /// Renewal acts only on listed bindings (SPEC §8's 404 `key_binding_not_found`); the renewal
    /// service checks that inside its transaction, as for the JSON routes. Worker ids are
    /// positive, an EJBCA id is any int32: one that cannot be a worker id is refused here.
    private func requirePossibleWorkerID(_ id: Int) throws {
        guard id > 0 else { throw SignPeerError.keyBindingNotFound("No key binding with id \(id).") }
    }
}
