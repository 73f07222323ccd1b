import Foundation
import SignPeerCore
import SignPeerPKCS11
import SignPeerServer

/// A `PKCS11CryptoToken` worker's properties, as SignServer names them (SPEC §6.1): the module
/// (`SHAREDLIBRARY`, or `SHAREDLIBRARYNAME` looked up in `SIGNPEER_PKCS11_LIBRARIES`), the slot
/// (`SLOTLABELTYPE`/`SLOTLABELVALUE`) and the key template (`ATTRIBUTES` or `ATTRIBUTESFILE`).
struct PKCS11TokenProperties: Sendable, Equatable {
    var sharedLibrary: String?
    var sharedLibraryName: String?
    var slot: PKCS11SlotSelector
    var attributes: String?
    var attributesFile: String?

    init(worker: WorkerRecord) throws {
        sharedLibrary = worker.value("SHAREDLIBRARY")
        sharedLibraryName = worker.value("SHAREDLIBRARYNAME")
        guard sharedLibrary != nil || sharedLibraryName != nil else {
            throw SignPeerError(.invalidProperty, "PKCS11CryptoToken needs SHAREDLIBRARY or SHAREDLIBRARYNAME.")
        }
        slot = try PKCS11SlotSelector(type: worker.value("SLOTLABELTYPE"), value: worker.value("SLOTLABELVALUE"))
        attributes = worker.value("ATTRIBUTES")
        attributesFile = worker.value("ATTRIBUTESFILE")
    }

    /// The module path: `SHAREDLIBRARY`, else the path `SHAREDLIBRARYNAME` names.
    ///
    /// - Throws: ``SignPeerError`` `.invalidProperty` for a name the configuration does not know.
    func libraryPath(_ configuration: PKCS11Configuration) throws -> String {
        if let sharedLibrary { return sharedLibrary }
        let name = sharedLibraryName ?? ""
        guard let path = configuration.libraries[name] else {
            let known = configuration.libraries.keys.sorted().joined(separator: ", ")
            throw SignPeerError(
                .invalidProperty,
                "SHAREDLIBRARYNAME '\(name.prefix(64))' is not configured (SIGNPEER_PKCS11_LIBRARIES has: \(known.isEmpty ? "none" : known)).")
        }
        return path
    }

    /// The key template: `ATTRIBUTES`, else the content of `ATTRIBUTESFILE`, else SignServer's
    /// default. Reads the file, so callers run it off the cooperative pool when it is set.
    func template() throws -> PKCS11KeyTemplate {
        if let attributes { return try PKCS11KeyTemplate(parsing: attributes, property: "ATTRIBUTES") }
        guard let attributesFile else { return .signServerDefault }
        guard let data = FileManager.default.contents(atPath: attributesFile) else {
            throw SignPeerError(.invalidProperty, "ATTRIBUTESFILE '\(attributesFile.prefix(256))' cannot be read.")
        }
        return try PKCS11KeyTemplate(parsing: String(decoding: data, as: UTF8.self), property: "ATTRIBUTESFILE")
    }
}

extension SignPeerError {
    /// The PKCS#12 storage was asked for an HSM token (a bug: HSM tokens take their own path).
    static let noKeyStoreInHSM = SignPeerError.internalError("A PKCS#11 token keeps its keys in the HSM, not in a key store.")
}
