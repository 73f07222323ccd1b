import SignPeerCore
import SignPeerServer
import SignPeerStore

/// Where a crypto token keeps its PKCS#12 key store (SPEC §6), from the token worker's
/// `CRYPTOTOKEN_IMPLEMENTATION_CLASS`, `KEYSTORETYPE` and `KEYSTOREPATH`.
enum TokenKind: Sendable, Equatable {
    /// `KeystoreInConfigCryptoToken` (the default): in the `key_stores` table.
    case keystoreInConfig
    /// `KeystoreCryptoToken` with `KEYSTORETYPE=PKCS12`: a file.
    case keystoreFile(path: String)

    static let packagePrefix = "org.signserver.server.cryptotokens."

    init(worker: WorkerRecord) throws {
        let implementation = worker.value(PropertyName.cryptoTokenImplementation) ?? "KeystoreInConfigCryptoToken"
        let shortName = implementation.hasPrefix(Self.packagePrefix)
            ? String(implementation.dropFirst(Self.packagePrefix.count)) : implementation
        switch shortName {
        case "KeystoreInConfigCryptoToken":
            self = .keystoreInConfig
        case "KeystoreCryptoToken":
            let type = worker.value("KEYSTORETYPE")?.uppercased() ?? "PKCS12"
            guard type == "PKCS12" else {
                throw SignPeerError.invalidProperty("KEYSTORETYPE '\(type.prefix(32))' is not supported; use PKCS12.")
            }
            guard let path = worker.value("KEYSTOREPATH") else {
                throw SignPeerError.invalidProperty("KeystoreCryptoToken needs KEYSTOREPATH.")
            }
            self = .keystoreFile(path: path)
        default:
            throw SignPeerError.invalidProperty("CRYPTOTOKEN_IMPLEMENTATION_CLASS '\(implementation.prefix(96))' is not supported by this signer.")
        }
    }
}
