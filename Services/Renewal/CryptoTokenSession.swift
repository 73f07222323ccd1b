import SignPeerCrypto

/// One activated crypto token: its keys, the code that protects them and, for a
/// `KeystoreInConfigCryptoToken`, the key-encryption key derived from that code at activation.
/// The only place private keys live in memory; deactivation drops it. Changes go through
/// ``update(_:)``, which serializes them and publishes the new store only after the body (and its
/// database transaction) succeeded. Status answers read the published store and never decode
/// anything.
final class CryptoTokenSession: Sendable {
    let holderID: Int
    let kind: TokenKind
    /// The authentication code; kept to re-encrypt the store after a change. Never logged.
    let code: String
    /// Seals and opens the token's key rows (nil for a PKCS#12 file token).
    let keyEncryptionKey: KeyEncryptionKey?
    private let state: StoreBox
    private let mutex = AsyncMutex()

    init(holderID: Int, kind: TokenKind, code: String, store: PKCS12KeyStore, keyEncryptionKey: KeyEncryptionKey?) {
        self.holderID = holderID
        self.kind = kind
        self.code = code
        self.keyEncryptionKey = keyEncryptionKey
        self.state = StoreBox(store)
    }

    /// The current key store (a value; later changes don't affect it).
    var store: PKCS12KeyStore { get async { await state.store } }

    /// Runs `body` with the current store, exclusively; stores what it returns as the new store
    /// when it returns normally.
    func update<T: Sendable>(_ body: @Sendable (PKCS12KeyStore) async throws -> (PKCS12KeyStore, T)) async throws -> T {
        try await mutex.withLock {
            let (newStore, result) = try await body(await state.store)
            await state.set(newStore)
            return result
        }
    }

    private actor StoreBox {
        var store: PKCS12KeyStore
        init(_ store: PKCS12KeyStore) { self.store = store }
        func set(_ store: PKCS12KeyStore) { self.store = store }
    }
}
