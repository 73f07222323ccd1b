import Foundation
import Logging
import Metrics
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerServer
import SignPeerStore

/// The activated crypto tokens of this renewal service, by token-holding worker id (SPEC §6).
/// Activation decodes the PKCS#12 key store with the given code (creating an empty store on the
/// first activation), or logs in to the HSM token (``PKCS11Tokens``); a wrong code is refused
/// and audited; deactivation forgets the keys.
actor TokenManager {
    private var sessions: [Int: CryptoTokenSession] = [:]
    let database: PostgresClient
    let logger: Logger
    /// The activated `PKCS11CryptoToken`s.
    let hsm: PKCS11Tokens

    init(database: PostgresClient, logger: Logger, pkcs11: PKCS11Configuration = PKCS11Configuration()) {
        self.database = database
        self.logger = logger
        hsm = PKCS11Tokens(configuration: pkcs11, logger: logger)
    }

    func session(for holderID: Int) -> CryptoTokenSession? { sessions[holderID] }

    /// `signpeer_tokens_active` for `/metrics`.
    func recordActiveTokens() async { Gauge(label: "signpeer_tokens_active").record(sessions.count + (await hsm.count)) }

    /// Activates the token of `reference` (the worker or its `CRYPTOTOKEN` worker).
    func activate(_ reference: String, code: String, principal: Principal?) async throws -> String {
        // Read the key store in one short transaction, decode it (PBKDF2: slow) with none open,
        // then record the activation in a second one.
        let (workers, stored) = try await database.withTransaction { connection in
            let workers = try await TokenWorkers.lock(reference, on: connection)
            if case .pkcs11 = workers.kind { return (workers, TokenStorage.Stored.nothing) }
            return (workers, try await TokenStorage.read(holderID: workers.holder.id, kind: workers.kind, on: connection))
        }
        let holder = workers.holder
        if case .pkcs11(let properties) = workers.kind {
            return try await activateInHSM(reference, workers: workers, properties: properties, pin: code, principal: principal)
        }
        let outcome: Result<(TokenWorkers, CryptoTokenSession), SignPeerError>
        do {
            let opened = try await TokenStorage.open(stored, holderID: holder.id, code: code)
            try await database.withTransaction { connection in
                let locked = try await TokenWorkers.lock(reference, on: connection)
                guard locked.holder.id == holder.id, locked.kind == workers.kind else {
                    throw SignPeerError.serviceUnavailable("The token configuration changed; try again.")
                }
                try await TokenStorage.commit(opened, holderID: holder.id, kind: workers.kind, on: connection)
                try await AuditLog.append(
                    AuditEvent(
                        .tokenActivated, principal: principal, workerID: holder.id, workerName: holder.name,
                        details: opened.converted.map { ["convertedKeys": String($0), "from": "PKCS12"] } ?? [:]),
                    on: connection)
            }
            let session = CryptoTokenSession(
                holderID: holder.id, kind: workers.kind, code: code, store: opened.store,
                keyEncryptionKey: opened.keyEncryptionKey)
            outcome = .success((workers, session))
        } catch let error as SignPeerError where error.code != .serviceUnavailable {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let (workers, session)):
            sessions[workers.holder.id] = session
            await listingChanged()
            logger.notice("crypto token activated", metadata: ["worker": .string(workers.holder.name)])
            return "Activation of worker \(workers.holder.name) was successful"
        case .failure(let error):
            try await AuditLog.record(
                AuditEvent(
                    .tokenActivationFailed, outcome: .failure, principal: principal, workerName: reference,
                    details: ["reason": error.code.rawValue]),
                in: database)
            logger.warning("crypto token activation failed", metadata: ["worker": .string(reference), "code": .string(error.code.rawValue)])
            throw error
        }
    }

    func deactivate(_ reference: String, principal: Principal?) async throws -> String {
        let holder = try await database.withTransaction { connection in
            let holder = try await TokenWorkers.lock(reference, on: connection).holder
            try await AuditLog.append(
                AuditEvent(.tokenDeactivated, principal: principal, workerID: holder.id, workerName: holder.name),
                on: connection)
            return holder
        }
        sessions[holder.id] = nil
        await hsm.deactivate(holderID: holder.id)
        await listingChanged()
        logger.notice("crypto token deactivated", metadata: ["worker": .string(holder.name)])
        return "Deactivation of worker \(holder.name) was successful"
    }

    /// Tells the gateways that a listing they kept is out of date (``ListingVersion``), after a
    /// change of what this service holds in memory, which no table write carries. A failure only
    /// delays the change in listings by the gateways' cache age, so it is logged, not thrown.
    func listingChanged() async {
        do {
            try await ListingVersion.bump(in: database)
        } catch {
            logger.warning("listing version not moved", metadata: ["error": .string(String(describing: error))])
        }
    }

    /// SPEC §6 auto-activation at start: `KEYSTOREPASSWORD` (or `PIN` for PKCS#11) on the token
    /// worker, or a file named after the worker in `SIGNPEER_TOKEN_SECRETS_DIR`. Failures are
    /// logged and audited, never fatal.
    func autoActivate(secretsDirectory: String?) async {
        let workers: [WorkerRecord]
        do {
            workers = try await WorkerStore(database: database).allWorkers()
        } catch {
            logger.error("crypto token auto-activation skipped: workers cannot be read", metadata: ["error": "\(error)"])
            return
        }
        for worker in workers where worker.hasInternalToken {
            var code = worker.value(PropertyName.keystorePassword) ?? worker.value(PropertyName.pin)
            if code == nil, let directory = secretsDirectory,
                let data = FileManager.default.contents(atPath: directory + "/" + worker.name)
            {
                code = String(decoding: data, as: UTF8.self).trimmingWhitespace()
            }
            guard let code, !code.isEmpty else { continue }
            do {
                _ = try await activate(String(worker.id), code: code, principal: nil)
            } catch where Self.isTransientActivationFailure(error) {
                retryActivation(worker, code: code, after: error)
            } catch {
                // `activate` logged and audited a refused code; this is what it could not record.
                logger.error(
                    "crypto token auto-activation failed",
                    metadata: ["worker": .string(worker.name), "error": .string(String(describing: error))])
            }
        }
    }

    /// The batched status of SPEC §5: for each token, active or not and what it knows of the
    /// requested aliases.
    func status(_ request: TokenStatusRequest) async -> TokenStatusResponse {
        var tokens: [TokenStatusResponse.Token] = []
        for token in request.tokens {
            guard let session = sessions[token.workerId] else {
                let hsmStatus = await hsm.status(holderID: token.workerId, aliases: token.aliases)
                tokens.append(hsmStatus ?? .init(workerId: token.workerId, active: false, keys: []))
                continue
            }
            let store = await session.store
            let keys = token.aliases.compactMap { alias in
                store.entries[alias].map {
                    TokenStatusResponse.Key(
                        alias: alias, algorithm: $0.key.algorithm, specification: $0.key.specification,
                        subjectKeyId: $0.key.subjectKeyIdentifier)
                }
            }
            tokens.append(.init(workerId: token.workerId, active: true, keys: keys))
        }
        return TokenStatusResponse(tokens: tokens)
    }
}
