import Foundation
import Logging
import Metrics
import SignPeerCore
import SignPeerCrypto
import SignPeerPKCS11

/// The activated HSM tokens of this renewal service, by token-holding worker id, and their
/// outage recovery (SPEC §6.1).
///
/// When a module goes into an outage, every token on it answers as OFFLINE (listing
/// `cryptoTokenActive: false`, renewals 409) and a recovery task re-initialises the module with
/// backoff (1 s, doubling to 30 s), then logs every token of it in again with the PIN it was
/// activated with. It goes on until every one of them is back; tokens of other modules are
/// never touched.
actor PKCS11Tokens {
    struct Active: Sendable {
        let token: PKCS11Token
        let name: String
        let properties: PKCS11TokenProperties
        /// The token's registration with its module's outage notifications.
        let outageHandler: UUID
    }

    let configuration: PKCS11Configuration
    let logger: Logger
    private var active: [Int: Active] = [:]
    private var recovering: Set<ObjectIdentifier> = []
    private var scheduledActivations: [Int: Task<Void, Never>] = [:]

    init(configuration: PKCS11Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    var isEmpty: Bool { active.isEmpty }
    var count: Int { active.count }

    func token(for holderID: Int) -> Active? { active[holderID] }

    /// Loads the module, finds the slot and logs in with `pin`; replaces an earlier activation.
    ///
    /// - Throws: ``SignPeerError`` `invalid_property` (library, slot or template properties),
    ///   `authentication_failed` (wrong PIN), `crypto_token_offline` (no such token now).
    func activate(holderID: Int, name: String, properties: PKCS11TokenProperties, pin: String) async throws {
        let path = try properties.libraryPath(configuration)
        _ = try await BlockingWork.run { try properties.template() }
        let module = try await PKCS11Module.acquire(path: path)
        let token = PKCS11Token(module: module, slot: properties.slot, pin: pin, callTimeout: configuration.callTimeout)
        do {
            do {
                try await token.activate()
            } catch let error as SignPeerError where error.code == .cryptoTokenOffline {
                // Perhaps a token created after the module's C_Initialize: look again once.
                guard try await module.rescanTokens(minimumAge: Self.rescanInterval, timeout: configuration.callTimeout) else {
                    throw error
                }
                try await token.activate()
            }
        } catch {
            await module.release()
            throw error
        }
        let handler = module.addOutageHandler { [weak self] module, reason in
            Task { await self?.outage(of: module, reason: reason) }
        }
        let entry = Active(token: token, name: name, properties: properties, outageHandler: handler)
        let previous = active.updateValue(entry, forKey: holderID)
        if let previous { await close(previous) }
    }

    /// How often an activation that finds no token may re-initialise a module to look for
    /// tokens created meanwhile: each re-initialisation makes the other tokens log in again.
    static let rescanInterval = Duration.seconds(2)

    func deactivate(holderID: Int) async {
        scheduledActivations.removeValue(forKey: holderID)?.cancel()
        guard let previous = active.removeValue(forKey: holderID) else { return }
        await close(previous)
    }

    private func close(_ entry: Active) async {
        entry.token.module.removeOutageHandler(entry.outageHandler)
        await entry.token.close()
        await entry.token.module.release()
    }

    /// How old a key look-up may be to answer a listing's status (SPEC §13): keys made or removed
    /// by another program show within this time; this service's own changes show at once.
    static let statusMaxAge = Duration.seconds(2)

    /// SPEC §5 status of one HSM token: active only when the module is up and the token answers
    /// (a look-up at most ``statusMaxAge`` old).
    func status(holderID: Int, aliases: [String]) async -> TokenStatusResponse.Token? {
        guard let entry = active[holderID] else { return nil }
        do {
            let keys = try await entry.token.recentKeys(aliases: aliases, maxAge: Self.statusMaxAge).map { key in
                TokenStatusResponse.Key(
                    alias: key.alias, algorithm: key.publicKey?.algorithm, specification: key.publicKey?.specification,
                    subjectKeyId: key.publicKey?.subjectKeyIdentifier)
            }
            return .init(workerId: holderID, active: true, keys: keys)
        } catch {
            return .init(workerId: holderID, active: false, keys: [])
        }
    }

    // MARK: Outage recovery

    /// An HSM that is away (or too slow) when the service starts (SPEC §6.1): the auto-activation
    /// of a token with a configured PIN is tried again with the outage backoff until `attempt`
    /// answers true (activated, or refused for good). Deactivation cancels it.
    func scheduleActivation(holderID: Int, name: String, reason: String, _ attempt: @escaping @Sendable () async -> Bool) {
        scheduledActivations[holderID]?.cancel()
        logger.warning(
            "crypto token not activated at start; activation is retried with backoff",
            metadata: ["worker": .string(name), "reason": .string(reason)])
        scheduledActivations[holderID] = Task {
            var delay = Duration.seconds(1)
            while !Task.isCancelled {
                try? await Task.sleep(for: delay)
                guard !Task.isCancelled else { break }
                if await attempt() { break }
                delay = min(delay * 2, .seconds(30))
            }
            self.finishScheduledActivation(holderID)
        }
    }

    private func finishScheduledActivation(_ holderID: Int) { scheduledActivations[holderID] = nil }

    /// Called by every token of the module (each registered its own handler): counts, logs and
    /// starts the recovery once.
    private func outage(of module: PKCS11Module, reason: String) async {
        guard recovering.insert(ObjectIdentifier(module)).inserted else { return }
        let names = active.values.filter { $0.token.module === module }.map(\.name).sorted()
        Counter(label: "signpeer_pkcs11_outages_total", dimensions: [("reason", Self.returnCode(in: reason))]).increment()
        logger.warning(
            "PKCS#11 module outage: its crypto tokens are offline until it recovers",
            metadata: ["module": .string(module.path), "reason": .string(reason), "tokens": .string(names.joined(separator: ","))])
        Gauge(label: "signpeer_pkcs11_modules_recovering").record(recovering.count)
        Task { await recover(module) }
    }

    /// Re-initialises `module` with backoff until every token on it is logged in again.
    private func recover(_ module: PKCS11Module) async {
        var delay = Duration.seconds(1)
        var attempt = 0
        while true {
            try? await Task.sleep(for: delay)
            attempt += 1
            let tokens = active.values.filter { $0.token.module === module }
            do {
                try await module.reinitialize(timeout: max(configuration.callTimeout, .seconds(30)))
                var offline: [String] = []
                for entry in tokens {
                    do {
                        try await entry.token.activate()
                    } catch {
                        offline.append(entry.name)
                    }
                }
                // A new outage while the tokens logged in was ignored above (still recovering): go on.
                if offline.isEmpty, module.outageReason == nil {
                    Counter(label: "signpeer_pkcs11_recoveries_total").increment()
                    logger.notice(
                        "PKCS#11 module recovered: its crypto tokens are active again",
                        metadata: [
                            "module": .string(module.path), "attempts": .stringConvertible(attempt),
                            "tokens": .string(tokens.map(\.name).sorted().joined(separator: ",")),
                        ])
                    break
                }
                logger.warning(
                    "PKCS#11 module re-initialised, but tokens are still missing; retrying",
                    metadata: ["module": .string(module.path), "offline": .string(offline.joined(separator: ",")),
                               "retryInSeconds": .stringConvertible(min(delay * 2, .seconds(30)).components.seconds)])
            } catch {
                logger.warning(
                    "PKCS#11 module re-initialisation failed; retrying",
                    metadata: ["module": .string(module.path), "reason": .string(String(describing: error)),
                               "retryInSeconds": .stringConvertible(min(delay * 2, .seconds(30)).components.seconds)])
            }
            delay = min(delay * 2, .seconds(30))
        }
        recovering.remove(ObjectIdentifier(module))
        Gauge(label: "signpeer_pkcs11_modules_recovering").record(recovering.count)
    }

    /// The CKR_ name in a reason such as `C_GetTokenInfo returned CKR_GENERAL_ERROR`.
    static func returnCode(in reason: String) -> String {
        reason.split(separator: " ").last.map(String.init) ?? reason
    }
}
