import CPKCS11
import COpenSSL
import Foundation
import SignPeerCore

/// One loaded PKCS#11 module (SPEC §6.1): `dlopen` + `C_Initialize` with CKF_OS_LOCKING_OK,
/// once per library path in the process, shared by every token on it and counted by
/// ``acquire(path:)``/``release()``.
///
/// The module can be re-initialised (C_Finalize + C_Initialize), the only way SoftHSM and many
/// HSMs recover from an outage. Each re-initialisation increments ``generation``: sessions,
/// object handles and logins of an older generation are void, and ``PKCS11Token`` drops them.
/// Calls and re-initialisation exclude each other (any number of calls, or one
/// re-initialisation), so C_Finalize never pulls the module away under a running call.
public final class PKCS11Module: @unchecked Sendable {
    // @unchecked Sendable: every `var` is only used while `condition` is locked; `functions`
    // points into the loaded library, which is never unloaded.
    public let path: String
    /// The real path of the library, under which the module is registered.
    private let registryKey: String
    let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
    /// The threads that make this module's calls.
    public let executor: PKCS11Executor
    private let condition = NSCondition()
    private var references = 0
    private var initialized = false
    private var activeCalls = 0
    private var exclusiveWaiting = false
    private var currentGeneration = 0
    /// When the current generation's C_Initialize ran: modules such as SoftHSM list only the
    /// tokens that existed then.
    private var initializedAt = ContinuousClock.now
    private var outage: String?
    private var consecutiveGeneralErrors = 0
    /// The PIN each slot was logged in with in this generation: login is per application and
    /// slot, so a second token on a logged-in slot gets CKR_USER_ALREADY_LOGGED_IN even with a
    /// wrong PIN, and is compared against this instead.
    private var loginPINs: [CK_SLOT_ID: String] = [:]
    private var outageHandlers: [UUID: @Sendable (PKCS11Module, String) -> Void] = [:]

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [String: PKCS11Module] = [:]  // guarded by registryLock
    private static let loader = PKCS11Executor(name: "signpeer-pkcs11-loader", maximumThreads: 1)

    private init(path: String, key: String, functions: UnsafeMutablePointer<CK_FUNCTION_LIST>) {
        self.path = path
        self.registryKey = key
        self.functions = functions
        executor = PKCS11Executor(name: "signpeer-pkcs11", maximumThreads: max(2, ProcessInfo.processInfo.activeProcessorCount * 2))
    }

    /// The module for `path`, loaded and initialised on first use; every call must be paired
    /// with one ``release()``.
    ///
    /// - Throws: ``SignPeerError`` `.invalidProperty` when the library does not exist, cannot
    ///   be loaded or is not a PKCS#11 module; `.cryptoTokenOffline` when C_Initialize fails.
    public static func acquire(path: String, timeout: Duration = .seconds(30)) async throws -> PKCS11Module {
        try await loader.run(timeout: timeout) {
            // Keyed by the real path: /usr/lib/softhsm/libsofthsm2.so is a symlink, and two module
            // objects on one library would re-initialise it under each other.
            let key = realpath(path, nil).map { resolved in
                defer { free(resolved) }
                return String(cString: resolved)
            } ?? path
            return try registryLock.withLock {
                let module: PKCS11Module
                if let loaded = registry[key] {
                    module = loaded
                } else {
                    module = PKCS11Module(path: path, key: key, functions: try load(path))
                    registry[key] = module
                }
                try module.retain()
                return module
            }
        }
    }

    private static func load(_ path: String) throws -> UnsafeMutablePointer<CK_FUNCTION_LIST> {
        let shown = String(path.prefix(256))
        guard path.hasPrefix("/"), FileManager.default.fileExists(atPath: path) else {
            throw SignPeerError(.invalidProperty, "SHAREDLIBRARY '\(shown)' does not exist.")
        }
        // Never unloaded: modules such as SoftHSM crash in their static destructors when
        // unloaded while OpenSSL still references them.
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw SignPeerError(.invalidProperty, "SHAREDLIBRARY '\(shown)' cannot be loaded: \(reason.prefix(200))")
        }
        guard let symbol = dlsym(handle, "C_GetFunctionList") else {
            throw SignPeerError(.invalidProperty, "SHAREDLIBRARY '\(shown)' is not a PKCS#11 module (no C_GetFunctionList).")
        }
        let getFunctionList = unsafeBitCast(symbol, to: CK_C_GetFunctionList.self)
        var list: UnsafeMutablePointer<CK_FUNCTION_LIST>?
        let rv = getFunctionList(&list)
        guard rv == CKR_OK, let list else {
            throw SignPeerError(
                .invalidProperty, "SHAREDLIBRARY '\(shown)': C_GetFunctionList returned \(PKCS11Error.name(of: rv)).")
        }
        return list
    }

    /// Counts a user; initialises the module for the first one. Runs under `registryLock`.
    private func retain() throws {
        condition.lock()
        defer { condition.unlock() }
        if !initialized {
            let rv = initialize()
            // The library is there but the HSM is not usable now: offline, like an outage.
            guard rv == CKR_OK || rv == CKR_CRYPTOKI_ALREADY_INITIALIZED else {
                throw SignPeerError.cryptoTokenOffline(
                    "SHAREDLIBRARY '\(path.prefix(256))': C_Initialize returned \(PKCS11Error.name(of: rv))"
                        + (path.contains("softhsm") ? " (is SOFTHSM2_CONF set to a readable configuration?)" : ""))
            }
            initialized = true
            initializedAt = .now
        }
        references += 1
    }

    /// Drops one user; the last one finalises the module (the library stays loaded).
    public func release() async {
        _ = try? await Self.loader.run(timeout: .seconds(30)) { [self] in
            Self.registryLock.withLock {
                condition.lock()
                defer { condition.unlock() }
                references -= 1
                guard references == 0 else { return }
                while activeCalls > 0 { condition.wait() }
                if initialized { _ = functions.pointee.C_Finalize!(nil) }
                initialized = false
                loginPINs = [:]
                Self.registry[registryKey] = nil
            }
        }
    }

    private func initialize() -> CK_RV {
        var arguments = CK_C_INITIALIZE_ARGS()
        arguments.flags = CK_FLAGS(CKF_OS_LOCKING_OK)
        let rv = withUnsafeMutablePointer(to: &arguments) { functions.pointee.C_Initialize!(UnsafeMutableRawPointer($0)) }
        // SoftHSM leaves stale errors on the caller's OpenSSL queue (its missing rdrand engine).
        ERR_clear_error()
        return rv
    }

    // MARK: State

    /// Increments at every re-initialisation; sessions and handles of another generation are void.
    public var generation: Int { condition.withLock { currentGeneration } }

    /// Why the module is in an outage (`C_GetTokenInfo returned CKR_GENERAL_ERROR`), or nil
    /// when it is usable.
    public var outageReason: String? { condition.withLock { outage } }

    /// Registers `handler`, called once each time the module goes into an outage, with the
    /// reason. Returns a key for ``removeOutageHandler(_:)``.
    public func addOutageHandler(_ handler: @escaping @Sendable (PKCS11Module, String) -> Void) -> UUID {
        let key = UUID()
        condition.withLock { outageHandlers[key] = handler }
        return key
    }

    public func removeOutageHandler(_ key: UUID) {
        _ = condition.withLock { outageHandlers.removeValue(forKey: key) }
    }

    // MARK: Calls

    /// Runs `body` (PKCS#11 calls of one operation) as one call: never during a
    /// re-initialisation, and failing fast while the module is in an outage.
    func withCall<T>(_ body: (CK_FUNCTION_LIST, Int) throws -> T) throws -> T {
        condition.lock()
        while exclusiveWaiting { condition.wait() }
        if let outage {
            condition.unlock()
            throw SignPeerError.pkcs11Offline(outage)
        }
        activeCalls += 1
        let generation = currentGeneration
        condition.unlock()
        defer {
            ERR_clear_error()
            condition.lock()
            activeCalls -= 1
            if activeCalls == 0 { condition.broadcast() }
            condition.unlock()
        }
        return try body(functions.pointee, generation)
    }

    /// Checks one return value: CKR_OK passes; an outage class (or a third CKR_GENERAL_ERROR in
    /// a row) puts the module into an outage; every failure throws ``PKCS11Error``.
    func check(_ rv: CK_RV, _ function: String, generation: Int) throws {
        if rv == CKR_OK {
            condition.withLock { if generation == currentGeneration { consecutiveGeneralErrors = 0 } }
            return
        }
        let error = PKCS11Error(function, rv)
        var handlers: [@Sendable (PKCS11Module, String) -> Void] = []
        condition.withLock {
            guard generation == currentGeneration, outage == nil else { return }
            if error.isGeneralError { consecutiveGeneralErrors += 1 }
            if error.isOutage || consecutiveGeneralErrors >= 3 {
                outage = error.description
                handlers = Array(outageHandlers.values)
            }
        }
        for handler in handlers { handler(self, error.description) }
        throw error
    }

    /// Marks the module in an outage: a failure that only repeated calls reveal (a token that
    /// keeps answering CKR_GENERAL_ERROR).
    public func reportOutage(_ reason: String) {
        let handlers: [@Sendable (PKCS11Module, String) -> Void] = condition.withLock {
            guard outage == nil else { return [] }
            outage = reason
            return Array(outageHandlers.values)
        }
        for handler in handlers { handler(self, reason) }
    }

    /// Re-initialises the module on its executor (see ``reinitialize()``), waiting at most
    /// `timeout` for running calls and C_Initialize.
    public func reinitialize(timeout: Duration) async throws {
        try await executor.run(timeout: timeout) { [self] in try reinitialize() }
    }

    /// Re-initialises the module so that it sees tokens created since its C_Initialize (SoftHSM
    /// shows a token made by `softhsm2-util --init-token` only then), unless the module is in an
    /// outage (its recovery re-initialises it) or was initialised less than `minimumAge` ago.
    /// The other crypto tokens on the module log in again on their next call. Answers whether
    /// it re-initialised.
    public func rescanTokens(minimumAge: Duration, timeout: Duration) async throws -> Bool {
        let due = condition.withLock { outage == nil && initialized && ContinuousClock.now - initializedAt >= minimumAge }
        guard due else { return false }
        try await reinitialize(timeout: timeout)
        return true
    }

    /// C_Finalize + C_Initialize, waiting for running calls first; the next generation starts
    /// without outage when C_Initialize succeeds. Blocking: run it on ``executor``.
    ///
    /// - Throws: ``PKCS11Error`` when C_Initialize fails (the outage goes on).
    func reinitialize() throws {
        condition.lock()
        exclusiveWaiting = true
        while activeCalls > 0 { condition.wait() }
        defer {
            exclusiveWaiting = false
            condition.broadcast()
            condition.unlock()
        }
        if initialized { _ = functions.pointee.C_Finalize!(nil) }
        initialized = false
        currentGeneration += 1
        loginPINs = [:]
        consecutiveGeneralErrors = 0
        let rv = initialize()
        guard rv == CKR_OK else { throw PKCS11Error("C_Initialize", rv) }
        initialized = true
        initializedAt = .now
        outage = nil
    }

    /// Records a successful login of `slot` with `pin`; answers whether `pin` is the one a slot
    /// that is already logged in was logged in with.
    func recordLogin(slot: CK_SLOT_ID, pin: String, generation: Int) {
        condition.withLock { if generation == currentGeneration { loginPINs[slot] = pin } }
    }

    func isLoginPIN(_ pin: String, slot: CK_SLOT_ID) -> Bool {
        condition.withLock {
            guard let known = loginPINs[slot] else { return false }
            return Array(known.utf8).elementsEqual(Array(pin.utf8))
        }
    }
}
