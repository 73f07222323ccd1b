import Foundation
import Hummingbird
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerServiceSupport

/// The token and key half of the admin API (`/internal/v1/admin/workers/{ref}/...`, reached
/// through the gateway's `/admin/v1/workers/{ref}/...`, Admin role): activation, key
/// generation and removal, token entries, the key test, CSRs and certificate uploads (SPEC §9.1).
enum TokenAdminRoutes {
    static func add(to router: Router<BasicRequestContext>, tokens: TokenManager, database: PostgresClient) {
        let admin = router.group("/internal/v1/admin/workers/{ref}").add(middleware: RequireForwardedRole(.admin))

        admin.post("/token/activate") { request, context in
            let body = try await request.decode(as: TokenActivationRequest.self, context: context)
            let message = try await tokens.activate(
                try reference(context), code: body.code, principal: request.forwardedPrincipal)
            return JSONResponse.make(OperationResult(changed: true, message: message))
        }
        admin.post("/token/deactivate") { request, context in
            let message = try await tokens.deactivate(try reference(context), principal: request.forwardedPrincipal)
            return JSONResponse.make(OperationResult(changed: true, message: message))
        }
        admin.get("/token/keys") { _, context in
            let reference = try reference(context)
            if let list = try await PKCS11TokenAdmin.entries(reference, tokens: tokens) { return JSONResponse.make(list) }
            let holderID = try await database.withTransaction { try await TokenWorkers.lock(reference, on: $0) }.holder.id
            guard let session = await tokens.session(for: holderID) else { throw offline(reference) }
            let entries = await session.store.entries.sorted { $0.key < $1.key }.map { alias, entry in
                TokenEntry(
                    alias: alias, algorithm: entry.key.algorithm, specification: entry.key.specification,
                    subjectKeyId: entry.key.subjectKeyIdentifier,
                    certificateSubject: entry.certificateChain.first?.subject.normalized)
            }
            return JSONResponse.make(TokenEntryList(tokenWorkerId: holderID, entries: entries))
        }
        admin.post("/token/keys") { request, context in
            let body = try await request.decode(as: KeyGenerationRequest.self, context: context)
            guard WorkerReference.isValid(body.alias), body.alias != "_default" else {
                throw SignPeerError(.invalidRequest, "Key aliases use letters, digits, '_', '.' and '-' (and are not '_default').")
            }
            let spec = try KeyGenerationSpec.parse(keyAlgorithm: body.keyAlgorithm, keySpecification: body.keySpecification)
            let principal = request.forwardedPrincipal
            if let entry = try await PKCS11TokenAdmin.generate(
                try reference(context), request: body, spec: spec, principal: principal, tokens: tokens)
            {
                return JSONResponse.make(entry)
            }
            let entry = try await tokens.withTokenTransaction(try reference(context), database: database) {
                workers, session, store, connection in
                guard store.entries[body.alias] == nil else {
                    throw SignPeerError(.invalidRequest, "The token already has a key '\(body.alias)'.", status: 409)
                }
                var store = store
                let key = try await KeyGenerator.generate(spec)
                store.entries[body.alias] = PKCS12KeyStore.Entry(key: key)
                try await KeyStoreStorage.save(
                    try await KeyStoreStorage.encode(store, code: session.code), holderID: session.holderID, kind: session.kind, on: connection)
                try await AuditLog.append(
                    AuditEvent(
                        .keyGenerated, principal: principal, workerID: workers.holder.id, workerName: workers.holder.name,
                        details: ["alias": body.alias, "algorithm": key.algorithm, "specification": key.specification ?? ""]),
                    on: connection)
                return (
                    store,
                    TokenEntry(
                        alias: body.alias, algorithm: key.algorithm, specification: key.specification,
                        subjectKeyId: key.subjectKeyIdentifier, certificateSubject: nil)
                )
            }
            return JSONResponse.make(entry)
        }
        admin.delete("/token/keys/{alias}") { request, context in
            let alias = try context.parameters.require("alias")
            let principal = request.forwardedPrincipal
            if try await PKCS11TokenAdmin.remove(try reference(context), alias: alias, principal: principal, tokens: tokens) != nil {
                return JSONResponse.make(OperationResult(changed: true, message: "Key \(alias) removed."))
            }
            try await tokens.withTokenTransaction(try reference(context), database: database) {
                workers, session, store, connection in
                var store = store
                guard store.entries.removeValue(forKey: alias) != nil else {
                    throw SignPeerError(.keyNotFound, "The token has no key '\(alias.prefix(64))'.", status: 404)
                }
                try await KeyStoreStorage.save(
                    try await KeyStoreStorage.encode(store, code: session.code), holderID: session.holderID, kind: session.kind, on: connection)
                try await AuditLog.append(
                    AuditEvent(
                        .keyRemoved, principal: principal, workerID: workers.holder.id, workerName: workers.holder.name,
                        details: ["alias": alias]), on: connection)
                return (store, ())
            }
            return JSONResponse.make(OperationResult(changed: true, message: "Key \(alias) removed."))
        }
        admin.post("/token/keys/{alias}/test") { _, context in
            let alias = try context.parameters.require("alias")
            if let result = try await PKCS11TokenAdmin.test(try reference(context), alias: alias, tokens: tokens) {
                return JSONResponse.make(result)
            }
            return JSONResponse.make(try await testKey(try reference(context), alias: alias, tokens: tokens, database: database))
        }
        admin.post("/csr") { request, context in
            let body = try await request.decode(as: CertificateRequestRequest.self, context: context)
            let principal = request.forwardedPrincipal
            if let result = try await PKCS11TokenAdmin.certificationRequest(
                try reference(context), request: body, principal: principal, tokens: tokens)
            {
                return JSONResponse.make(result)
            }
            let result = try await tokens.withTokenTransaction(try reference(context), database: database) {
                workers, _, store, connection in
                let worker = workers.worker
                let alias = body.alias
                    ?? (body.nextKey ? worker.value(PropertyName.nextCertSignKey) : worker.value(PropertyName.defaultKey))
                guard let alias, let entry = store.entries[alias] else {
                    throw SignPeerError(.keyNotFound, "Worker \(worker.name) has no such key in its token.", status: 409)
                }
                var configured = worker
                configured.properties[PropertyName.requestDN] = body.subjectDN
                configured.properties[PropertyName.signatureAlgorithm] = body.signatureAlgorithm
                configured.properties[PropertyName.requestSignatureAlgorithm] = nil
                let request = try RenewalPreparation.certificationRequest(for: configured, alias: alias, key: entry.key)
                try await AuditLog.append(
                    AuditEvent(.csrGenerated, principal: principal, workerID: worker.id, workerName: worker.name,
                               details: ["alias": alias]), on: connection)
                return (store, CertificateRequestResult(keyAlias: alias, csr: request.pem))
            }
            return JSONResponse.make(result)
        }
        for (path, property) in [("/certificate", PropertyName.signerCertificate), ("/certificatechain", PropertyName.signerCertificateChain)] {
            admin.put(RouterPath(path)) { request, context in
                let body = try await request.decode(as: CertificateUpload.self, context: context)
                let message = try await upload(
                    try reference(context), property: property, text: body.certificate, principal: request.forwardedPrincipal,
                    database: database)
                return JSONResponse.make(OperationResult(changed: true, message: message))
            }
        }
    }

    static func reference(_ context: BasicRequestContext) throws -> String {
        let reference = try context.parameters.require("ref")
        guard WorkerReference.isValid(reference) else {
            throw SignPeerError(.workerNotFound, "No worker '\(reference.prefix(64))'.", status: 404)
        }
        return reference
    }

    static func offline(_ reference: String) -> SignPeerError {
        SignPeerError(.cryptoTokenOffline, "The crypto token of worker \(reference.prefix(64)) is offline.", status: 409)
    }

    /// `testkey`: signs a test message with the key and verifies it with the public key, and
    /// tells whether the worker's signer certificate holds that public key. `_default` means the
    /// worker's DEFAULTKEY.
    static func testKey(_ reference: String, alias requested: String, tokens: TokenManager, database: PostgresClient)
        async throws -> KeyTestResult
    {
        let workers = try await database.withTransaction { try await TokenWorkers.lock(reference, on: $0) }
        guard let session = await tokens.session(for: workers.holder.id) else { throw offline(reference) }
        let alias = requested == "_default" ? workers.worker.value(PropertyName.defaultKey) ?? "" : requested
        guard let entry = await session.store.entries[alias] else {
            throw SignPeerError(.keyNotFound, "The token has no key '\(alias.prefix(64))'.", status: 404)
        }
        let algorithm = try SignatureAlgorithm.forKey(configured: nil, requestSignatureAlgorithm: nil, key: entry.key)
        let message = Array("SignPeer key test \(Date())".utf8)
        let signature = try entry.key.sign(message, algorithm: algorithm)
        let verified = algorithm.verify(signature: signature, data: message, publicKeyInfoDER: entry.key.publicKeyInfoDER)
        let signer = workers.worker.value(PropertyName.signerCertificate).flatMap { try? Certificate.parse(Array($0.utf8)).first }
        let matches = alias == workers.worker.value(PropertyName.defaultKey)
            ? signer.map { $0.hasSamePublicKey(as: entry.key.publicKeyInfoDER) } : nil
        return KeyTestResult(alias: alias, success: verified, signatureAlgorithm: algorithm.rawValue, matchesSignerCertificate: matches)
    }

    /// `uploadsignercertificate` / `uploadsignercertificatechain`: stores the certificate(s) in
    /// canonical PEM. (Peer installs go through ``CertificateInstallation`` with all its checks.)
    static func upload(_ reference: String, property: String, text: String, principal: Principal?, database: PostgresClient)
        async throws -> String
    {
        guard let certificates = try? Certificate.parse(Array(text.utf8)), !certificates.isEmpty else {
            throw SignPeerError(.invalidCertificate, "The certificate could not be read (PEM or DER expected).")
        }
        if property == PropertyName.signerCertificate, certificates.count != 1 {
            throw SignPeerError(.invalidCertificate, "Upload exactly one signer certificate.")
        }
        return try await database.withTransaction { connection in
            let worker = try await TokenWorkers.lock(reference, on: connection).worker
            try await WorkerProperties.set(property, certificates.map(\.pem).joined(), worker: worker.id, on: connection)
            try await WorkerProperties.touch(worker: worker.id, on: connection)
            try await AuditLog.append(
                AuditEvent(
                    .propertySet, principal: principal, workerID: worker.id, workerName: worker.name,
                    details: ["property": property, "subject": certificates[0].subject.normalized]), on: connection)
            return "\(property) of worker \(worker.name) uploaded."
        }
    }
}
