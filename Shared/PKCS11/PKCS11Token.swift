import CPKCS11
import Foundation
import SignPeerCore

/// One crypto token in an HSM: a slot of a ``PKCS11Module``, its user PIN, and a pool of
/// sessions with exclusive checkout (SPEC §6.1).
///
/// Every operation runs on the module's executor as one call, bounded by `callTimeout`; it
/// checks out a session (opening and logging in when the pool is empty), checks the token is
/// still there, does its PKCS#11 calls and returns the session. Sessions, the slot ID and
/// logins belong to one module generation: after a re-initialisation the pool starts over.
public final class PKCS11Token: @unchecked Sendable {
    // @unchecked Sendable: `idle`, `poolGeneration`, `slotID`, `closed` are only used under
    // `lock`; the rest is immutable.
    public let module: PKCS11Module
    public let slot: PKCS11SlotSelector
    public let callTimeout: Duration
    /// The user PIN; kept to log in again after a re-initialisation. Never logged.
    private let pin: String
    private let lock = NSLock()
    /// What key look-ups found lately, for ``recentKeys(aliases:maxAge:)``.
    let recent = PKCS11RecentKeys()
    private var idle: [CK_SESSION_HANDLE] = []
    private var poolGeneration = -1
    private var slotID: CK_SLOT_ID?
    private var closed = false

    public init(module: PKCS11Module, slot: PKCS11SlotSelector, pin: String, callTimeout: Duration) {
        self.module = module
        self.slot = slot
        self.pin = pin
        self.callTimeout = callTimeout
    }

    /// Finds the slot and logs in, proving the PIN.
    ///
    /// - Throws: ``SignPeerError`` `authentication_failed` (403) for a wrong PIN,
    ///   `crypto_token_offline` (409) when the slot is not there or the module is in an outage.
    public func activate() async throws {
        _ = try await perform("log in") { session in try session.tokenInfo() }
    }

    /// Closes the idle sessions; operations after this fail as offline.
    public func close() async {
        let sessions: [CK_SESSION_HANDLE] = lock.withLock {
            closed = true
            defer { idle = [] }
            return poolGeneration == module.generation ? idle : []
        }
        guard !sessions.isEmpty else { return }
        _ = try? await module.executor.run(timeout: callTimeout) { [module] in
            try module.withCall { functions, _ in
                for session in sessions { _ = functions.C_CloseSession!(session) }
            }
        }
    }

    /// Runs `body` with an exclusively checked-out session, as one call on the executor.
    /// `doing` completes "The HSM failed to …" in messages.
    func perform<T: Sendable>(
        _ doing: String, timeout: Duration? = nil, _ body: @escaping @Sendable (PKCS11Session) throws -> T
    ) async throws -> T {
        try await module.executor.run(timeout: timeout ?? callTimeout) { [self] in
            try module.withCall { functions, generation in
                let session = try checkout(functions, generation: generation)
                do {
                    _ = try session.tokenInfo()
                    let result = try body(session)
                    checkin(session)
                    return result
                } catch let error as PKCS11Error {
                    _ = functions.C_CloseSession!(session.handle)
                    if let outage = module.outageReason { throw SignPeerError.pkcs11Offline(outage) }
                    throw SignPeerError.pkcs11Failure(error, while: doing)
                } catch {
                    checkin(session)
                    throw error
                }
            }
        }
    }

    private func checkout(_ functions: CK_FUNCTION_LIST, generation: Int) throws -> PKCS11Session {
        let (reused, knownSlot): (CK_SESSION_HANDLE?, CK_SLOT_ID?) = try lock.withLock {
            guard !closed else { throw SignPeerError.pkcs11Offline("the token is deactivated") }
            if poolGeneration != generation {
                idle = []
                slotID = nil
                poolGeneration = generation
            }
            return (idle.popLast(), slotID)
        }
        do {
            let slot = try knownSlot ?? self.slot.resolve(functions: functions, module: module, generation: generation)
            lock.withLock { if poolGeneration == generation { slotID = slot } }
            if let reused {
                return PKCS11Session(module: module, functions: functions, handle: reused, slot: slot, generation: generation)
            }
            var handle: CK_SESSION_HANDLE = 0
            try module.check(
                functions.C_OpenSession!(slot, CK.serialSession | CK.rwSession, nil, nil, &handle), "C_OpenSession",
                generation: generation)
            let session = PKCS11Session(module: module, functions: functions, handle: handle, slot: slot, generation: generation)
            do {
                try logIn(session)
            } catch {
                _ = functions.C_CloseSession!(handle)
                throw error
            }
            return session
        } catch let error as PKCS11Error {
            if let outage = module.outageReason { throw SignPeerError.pkcs11Offline(outage) }
            throw SignPeerError.pkcs11Failure(error, while: "open a session")
        }
    }

    /// Logs the session's slot in unless it already is (login is per application and slot).
    private func logIn(_ session: PKCS11Session) throws {
        var info = CK_SESSION_INFO()
        try session.check(session.functions.C_GetSessionInfo!(session.handle, &info), "C_GetSessionInfo")
        guard info.state != CK.rwUserFunctions else {
            guard module.isLoginPIN(pin, slot: session.slot) else { throw Self.wrongPIN }
            return
        }
        var pinBytes = Array(pin.utf8)
        let rv = session.functions.C_Login!(session.handle, CK.userType, &pinBytes, CK_ULONG(pinBytes.count))
        switch rv {
        case CK.ok:
            module.recordLogin(slot: session.slot, pin: pin, generation: session.generation)
        case CK.userAlreadyLoggedIn:
            guard module.isLoginPIN(pin, slot: session.slot) else { throw Self.wrongPIN }
        case CK.pinIncorrect:
            throw Self.wrongPIN
        case CK.pinLocked:
            throw SignPeerError.authenticationFailed("The token's user PIN is locked.")
        default:
            try session.check(rv, "C_Login")
        }
    }

    static let wrongPIN = SignPeerError.authenticationFailed("Wrong PIN for the PKCS#11 token.")

    private func checkin(_ session: PKCS11Session) {
        let keep = lock.withLock {
            guard !closed, poolGeneration == session.generation else { return false }
            idle.append(session.handle)
            return true
        }
        if !keep, session.generation == module.generation { _ = session.functions.C_CloseSession!(session.handle) }
    }
}
