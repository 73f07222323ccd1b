import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerStore

/// How a crypto token's keys are read at activation and how an operation's change is written,
/// for both kinds of ``TokenKind`` (SPEC §6, §13), in the two phases of
/// ``TokenManager/withTokenChange(_:access:database:prepare:commit:)``: the slow work (key
/// derivation, PKCS#12 encoding) with no transaction open, the writes in the short one.
///
/// - `KeystoreInConfigCryptoToken`: one row per key (``TokenKeyRows``), the private key sealed
///   with AES-256-GCM under a ``KeyEncryptionKey`` derived once per activation from the token's
///   code; a change writes or deletes only the rows of the aliases it touched. A token still held
///   as one PKCS#12 blob (before migration 40) is converted at its next activation: every key is
///   written as its own row and the blob deleted in the activation's transaction.
/// - `KeystoreCryptoToken` (a PKCS#12 file): keeps its format; it is encoded only when a change
///   altered the keys, never for reads.
enum TokenStorage {
    /// What a token has stored, read in the activation's first, short transaction.
    enum Stored: Sendable {
        case file([UInt8]?)
        case rows(TokenKeyRows.Derivation, [TokenKeyRows.SealedKey])
        case pkcs12Blob([UInt8])
        case nothing
    }

    static func read(holderID: Int, kind: TokenKind, on connection: PostgresConnection) async throws -> Stored {
        switch kind {
        case .keystoreFile(let path):
            return .file(try await KeyStoreStorage.load(path: path))
        case .keystoreInConfig:
            if let derivation = try await TokenKeyRows.derivation(holderID: holderID, on: connection) {
                return .rows(derivation, try await TokenKeyRows.keys(holderID: holderID, on: connection))
            }
            if let blob = try await KeyStoreRows.load(holderID: holderID, on: connection) { return .pkcs12Blob(blob) }
            return .nothing
        case .pkcs11:
            throw SignPeerError.noKeyStoreInHSM
        }
    }

    /// What a first activation (or a conversion) must write.
    enum Creation: Sendable {
        case file([UInt8])
        case rows(TokenKeyRows.Derivation, [TokenKeyRows.SealedKey], replacingBlob: Bool)
    }

    /// The opened token.
    struct Opened: Sendable {
        var store: PKCS12KeyStore
        var keyEncryptionKey: KeyEncryptionKey?
        var creation: Creation?
        /// How many keys were converted from a PKCS#12 blob (nil: no conversion).
        var converted: Int?
    }

    /// Opens what was stored with `code` (slow: PBKDF2), with no transaction open.
    ///
    /// - Throws: ``SignPeerError`` `authentication_failed` for a wrong code.
    static func open(_ stored: Stored, holderID: Int, code: String) async throws -> Opened {
        switch stored {
        case .file(let bytes?):
            return Opened(store: try await KeyStoreStorage.decode(bytes, code: code))
        case .file(nil):
            let store = PKCS12KeyStore()
            return Opened(store: store, creation: .file(try await KeyStoreStorage.encode(store, code: code)))
        case .rows(let derivation, let keys):
            let key = try await derive(
                code: code,
                parameters: .init(algorithm: derivation.algorithm, iterations: derivation.iterations, salt: derivation.salt))
            guard key.open(derivation.checkValue, associatedData: checkData(holderID: holderID)) == checkPlaintext else {
                throw wrongCode
            }
            let entries = try await BlockingWork.run { try openKeys(keys, holderID: holderID, key: key) }
            return Opened(store: PKCS12KeyStore(entries: entries), keyEncryptionKey: key)
        case .pkcs12Blob(let blob):
            // Decoding checks the code before anything is made.
            let store = try await KeyStoreStorage.decode(blob, code: code)
            let (key, derivation) = try await newKey(code: code, holderID: holderID)
            let sealed = try store.entries.sorted { $0.key < $1.key }.map {
                try seal($0.key, $0.value, holderID: holderID, key: key)
            }
            return Opened(
                store: store, keyEncryptionKey: key, creation: .rows(derivation, sealed, replacingBlob: true),
                converted: store.entries.count)
        case .nothing:
            let (key, derivation) = try await newKey(code: code, holderID: holderID)
            return Opened(store: PKCS12KeyStore(), keyEncryptionKey: key, creation: .rows(derivation, [], replacingBlob: false))
        }
    }

    /// Writes a new or converted token in the activation's second transaction, unless another
    /// activation created it meanwhile (then 503: try again).
    static func commit(_ opened: Opened, holderID: Int, kind: TokenKind, on connection: PostgresConnection) async throws {
        guard let creation = opened.creation else { return }
        let createdMeanwhile = SignPeerError.serviceUnavailable("The key store was created meanwhile; try again.")
        switch (creation, kind) {
        case (.file(let bytes), .keystoreFile(let path)):
            guard try await KeyStoreStorage.load(path: path) == nil else { throw createdMeanwhile }
            try await KeyStoreStorage.save(bytes, path: path)
        case (.rows(let derivation, let keys, let replacingBlob), .keystoreInConfig):
            guard try await TokenKeyRows.derivation(holderID: holderID, on: connection) == nil,
                try await KeyStoreRows.load(holderID: holderID, on: connection) != nil || !replacingBlob
            else { throw createdMeanwhile }
            try await TokenKeyRows.create(derivation, holderID: holderID, on: connection)
            for key in keys { try await TokenKeyRows.upsert(key, holderID: holderID, on: connection) }
            if replacingBlob { try await KeyStoreRows.delete(holderID: holderID, on: connection) }
        default:
            throw SignPeerError.serviceUnavailable("The token configuration changed; try again.")
        }
    }

    /// What an operation changed, ready to be written: made in the slow phase from the token's
    /// keys before and after.
    enum Change: Sendable {
        case none
        case file([UInt8])
        case rows(written: [TokenKeyRows.SealedKey], removed: [String])
    }

    static func change(from old: PKCS12KeyStore, to new: PKCS12KeyStore, session: CryptoTokenSession) async throws
        -> Change
    {
        let changes = KeyStoreChanges(from: old, to: new)
        guard !changes.isEmpty else { return .none }
        switch session.kind {
        case .pkcs11:
            throw SignPeerError.noKeyStoreInHSM
        case .keystoreFile:
            return .file(try await KeyStoreStorage.encode(new, code: session.code))
        case .keystoreInConfig:
            guard let key = session.keyEncryptionKey else {
                throw SignPeerError.internalError("The token session has no key-encryption key.")
            }
            let written = try changes.written.map {
                try seal($0, new.entries[$0]!, holderID: session.holderID, key: key)
            }
            return .rows(written: written, removed: changes.removed)
        }
    }

    /// Writes a change inside the operation's transaction.
    static func write(_ change: Change, holderID: Int, kind: TokenKind, on connection: PostgresConnection) async throws {
        switch (change, kind) {
        case (.none, _):
            return
        case (.file(let bytes), .keystoreFile(let path)):
            try await KeyStoreStorage.save(bytes, path: path)
        case (.rows(let written, let removed), .keystoreInConfig):
            for alias in removed { try await TokenKeyRows.delete(alias, holderID: holderID, on: connection) }
            for key in written { try await TokenKeyRows.upsert(key, holderID: holderID, on: connection) }
        default:
            throw SignPeerError.serviceUnavailable("The token configuration changed; try again.")
        }
    }

    // MARK: Sealing

    static func seal(_ alias: String, _ entry: PKCS12KeyStore.Entry, holderID: Int, key: KeyEncryptionKey) throws
        -> TokenKeyRows.SealedKey
    {
        var der = try entry.key.pkcs8DER()
        defer { for index in der.indices { der[index] = 0 } }
        return TokenKeyRows.SealedKey(
            alias: alias, sealedPrivateKey: try key.seal(der, associatedData: keyData(holderID: holderID, alias: alias)),
            publicKeyInfo: entry.key.publicKeyInfoDER,
            certificateChain: entry.certificateChain.isEmpty ? nil : entry.certificateChain.map(\.pem).joined())
    }

    static func openKeys(_ keys: [TokenKeyRows.SealedKey], holderID: Int, key: KeyEncryptionKey) throws
        -> [String: PKCS12KeyStore.Entry]
    {
        var entries: [String: PKCS12KeyStore.Entry] = [:]
        for row in keys {
            guard var der = key.open(row.sealedPrivateKey, associatedData: keyData(holderID: holderID, alias: row.alias))
            else {
                throw SignPeerError.internalError("The stored key '\(row.alias.prefix(64))' does not open with the token's key.")
            }
            defer { for index in der.indices { der[index] = 0 } }
            let chain = try row.certificateChain.map { try Certificate.parse(Array($0.utf8)) } ?? []
            entries[row.alias] = PKCS12KeyStore.Entry(key: try PrivateKey(pkcs8DER: der), certificateChain: chain)
        }
        return entries
    }

    /// A fresh salt, the key derived from `code` with it, and the derivation row with its check value.
    static func newKey(code: String, holderID: Int) async throws -> (KeyEncryptionKey, TokenKeyRows.Derivation) {
        let key = try await derive(code: code, parameters: try KeyEncryptionKey.Parameters.generate())
        let derivation = TokenKeyRows.Derivation(
            algorithm: key.parameters.algorithm, iterations: key.parameters.iterations, salt: key.parameters.salt,
            checkValue: try key.seal(checkPlaintext, associatedData: checkData(holderID: holderID)))
        return (key, derivation)
    }

    /// The key-encryption key, derived through ``BlockingWork`` (a fraction of a second on purpose).
    static func derive(code: String, parameters: KeyEncryptionKey.Parameters) async throws -> KeyEncryptionKey {
        try await BlockingWork.run { try KeyEncryptionKey(code: code, parameters: parameters) }
    }

    static let wrongCode = SignPeerError.authenticationFailed("Wrong authentication code for the key store.")
    static let checkPlaintext = Array("SignPeer token key check, version 1".utf8)

    static func checkData(holderID: Int) -> [UInt8] { Array("signpeer-token-check\u{0}\(holderID)".utf8) }

    static func keyData(holderID: Int, alias: String) -> [UInt8] {
        Array("signpeer-token-key\u{0}\(holderID)\u{0}\(alias)".utf8)
    }
}

/// The aliases an operation added or changed (a different key object or chain) and removed.
struct KeyStoreChanges: Equatable {
    var written: [String] = []
    var removed: [String] = []

    var isEmpty: Bool { written.isEmpty && removed.isEmpty }

    init(from old: PKCS12KeyStore, to new: PKCS12KeyStore) {
        for (alias, entry) in new.entries {
            guard let before = old.entries[alias] else {
                written.append(alias)
                continue
            }
            if before.key !== entry.key || before.certificateChain.map(\.der) != entry.certificateChain.map(\.der) {
                written.append(alias)
            }
        }
        removed = old.entries.keys.filter { new.entries[$0] == nil }
        written.sort()
        removed.sort()
    }
}
