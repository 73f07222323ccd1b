import Foundation
import Hummingbird
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerServer
import SignPeerStore

/// `POST /internal/v1/admin/workers/{ref}/token/export` (`signpeer exportkeystore`, Admin role):
/// the active token's keys, with the chains installed for them, as a PKCS#12 key store under a
/// new password, so keys can move out of SignPeer (for example back to SignServer). It is
/// encoded from the keys in memory (nothing is read or written in the token) and audited.
enum TokenExportRoute {
    static func add(to router: Router<BasicRequestContext>, tokens: TokenManager, database: PostgresClient) {
        let admin = router.group("/internal/v1/admin/workers/{ref}").add(middleware: RequireForwardedRole(.admin))
        admin.post("/token/export") { request, context in
            let body = try await request.decode(as: KeyStoreExportRequest.self, context: context)
            guard !body.password.isEmpty else {
                throw SignPeerError.invalidRequest("The export password must not be empty.")
            }
            let (workers, session) = try await tokens.readToken(try TokenAdminRoutes.reference(context), database: database)
            let store = await session.store
            let password = body.password
            let bytes = try await BlockingWork.run { try store.encode(password: password) }
            try await AuditLog.record(
                AuditEvent(
                    .keyStoreExported, principal: request.forwardedPrincipal, workerID: workers.holder.id,
                    workerName: workers.holder.name, details: ["entries": String(store.entries.count), "format": "PKCS12"]),
                in: database)
            return JSONResponse.make(
                KeyStoreExportResponse(
                    tokenWorkerId: workers.holder.id, entries: store.entries.count, pkcs12: Data(bytes).base64EncodedString()))
        }
    }
}

extension AuditEvent.Name {
    /// A token's keys were exported as PKCS#12 (`signpeer exportkeystore`).
    static let keyStoreExported: Self = "KEYSTORE_EXPORTED"
}
