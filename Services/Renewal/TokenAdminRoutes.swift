import Foundation
import Hummingbird
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerServer
import SignPeerStore

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
            let (workers, session) = try await tokens.readToken(reference, database: database)
            let entries = await session.store.entries.sorted { $0.key < $1.key }.map { alias, entry in
                TokenEntry(
                    alias: alias, algorithm: entry.key.algorithm, specification: entry.key.specification,
                    subjectKeyId: entry.key.subjectKeyIdentifier,
                    certificateSubject: entry.certificateChain.first?.subject.normalized)
            }
            return JSONResponse.make(TokenEntryList(tokenWorkerId: workers.holder.id, entries: entries))
        }
        admin.post("/token/keys") { request, context in
            let body = try await request.decode(as: KeyGenerationRequest.self, context: context)
            guard WorkerReference.isValid(body.alias), body.alias != "_default" else {
                throw SignPeerError.invalidRequest("Key aliases use letters, digits, '_', '.' and '-' (and are not '_default').")
            }
            let spec = try KeyGenerationSpec.parse(keyAlgorithm: body.keyAlgorithm, keySpecification: body.keySpecification)
            let principal = request.forwardedPrincipal
            if let entry = try await PKCS11TokenAdmin.generate(
                try reference(context), request: body, spec: spec, principal: principal, tokens: tokens)
            {
                return JSONResponse.make(entry)
            }
            let entry = try await tokens.withTokenChange(
                try reference(context), database: database,
                prepare: { _, session, store in
                    guard store.entries[body.alias] == nil else {
                        throw SignPeerError.invalidRequest("The token already has a key '\(body.alias)'.")
                    }
                    var changed = store
                    let key = try await KeyGenerator.generate(spec)
                    changed.entries[body.alias] = PKCS12KeyStore.Entry(key: key)
                    return (changed, key, try await TokenStorage.change(from: store, to: changed, session: session))
                },
                commit: { workers, plan, connection in
                    let (store, key, change) = plan
                    try await TokenStorage.write(change, holderID: workers.holder.id, kind: workers.kind, on: connection)
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
                })
            return JSONResponse.make(entry)
        }
        admin.delete("/token/keys/{alias}") { request, context in
            let alias = try context.parameters.require("alias")
            let principal = request.forwardedPrincipal
            if try await PKCS11TokenAdmin.remove(try reference(context), alias: alias, principal: principal, tokens: tokens) != nil {
                return JSONResponse.make(OperationResult(changed: true, message: "Key \(alias) removed."))
            }
            try await tokens.withTokenChange(
                try reference(context), database: database,
                prepare: { _, session, store in
                    var changed = store
                    guard changed.entries.removeValue(forKey: alias) != nil else {
                        throw SignPeerError.keyNotFound("The token has no key '\(alias.prefix(64))'.")
                    }
                    return (changed, try await TokenStorage.change(from: store, to: changed, session: session))
                },
                commit: { workers, plan, connection in
                    try await TokenStorage.write(plan.1, holderID: workers.holder.id, kind: workers.kind, on: connection)
                    try await AuditLog.append(
                        AuditEvent(
                            .keyRemoved, principal: principal, workerID: workers.holder.id, workerName: workers.holder.name,
                            details: ["alias": alias]), on: connection)
                    return (plan.0, ())
                })
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
            let result = try await tokens.withTokenChange(
                try reference(context), database: database,
                prepare: { workers, _, store in
                    let worker = workers.worker
                    let alias = body.alias
                        ?? (body.nextKey ? worker.value(PropertyName.nextCertSignKey) : worker.value(PropertyName.defaultKey))
                    guard let alias, let entry = store.entries[alias] else {
                        throw SignPeerError.keyNotFound("Worker \(worker.name) has no such key in its token.")
                    }
                    var configured = worker
                    configured.properties[PropertyName.requestDN] = body.subjectDN
                    configured.properties[PropertyName.signatureAlgorithm] = body.signatureAlgorithm
                    configured.properties[PropertyName.requestSignatureAlgorithm] = nil
                    let key = entry.key
                    let frozen = configured
                    let request = try await BlockingWork.run {
                        try RenewalPreparation.certificationRequest(for: frozen, alias: alias, key: key)
                    }
                    return CertificateRequestResult(keyAlias: alias, csr: request.pem)
                },
                commit: { workers, result, connection in
                    try await AuditLog.append(
                        AuditEvent(.csrGenerated, principal: principal, workerID: workers.worker.id, workerName: workers.worker.name,
                                   details: ["alias": result.keyAlias]), on: connection)
                    return (nil, result)
                })
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
            throw SignPeerError.workerNotFound("No worker '\(reference.prefix(64))'.")
        }
        return reference
    }

    /// `testkey`: signs a test message with the key and verifies it with the public key, and
    /// tells whether the worker's signer certificate holds that public key. `_default` means the
    /// worker's DEFAULTKEY.
    static func testKey(_ reference: String, alias requested: String, tokens: TokenManager, database: PostgresClient)
        async throws -> KeyTestResult
    {
        let (workers, session) = try await tokens.readToken(reference, database: database)
        let alias = requested == "_default" ? workers.worker.value(PropertyName.defaultKey) ?? "" : requested
        guard let entry = await session.store.entries[alias] else {
            throw SignPeerError.keyNotFound("The token has no key '\(alias.prefix(64))'.")
        }
        let algorithm = try SignatureAlgorithm.forKey(configured: nil, requestSignatureAlgorithm: nil, key: entry.key)
        let message = Array("SignPeer key test \(Date())".utf8)
        let key = entry.key
        let signature = try await BlockingWork.run { try key.sign(message, algorithm: algorithm) }
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
        guard !PropertyName.isAbsent(text) else {
            throw SignPeerError.invalidCertificate("The certificate could not be read (PEM or DER expected).")
        }
        return try await database.withTransaction { connection in
            let worker = try await TokenWorkers.lock(reference, on: connection).worker
            try await PropertyWriter.set(property, text, worker: worker.id, on: connection)
            let stored = try await WorkerLookup.record(id: worker.id, on: connection)?.value(property)
            let subject = try stored.flatMap { try Certificate.parse(Array($0.utf8)).first?.subject.normalized }
            try await AuditLog.append(
                AuditEvent(
                    .propertySet, principal: principal, workerID: worker.id, workerName: worker.name,
                    details: ["property": property, "subject": subject ?? ""]), on: connection)
            return "\(property) of worker \(worker.name) uploaded."
        }
    }
}
