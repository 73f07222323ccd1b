import CPKCS11
import Foundation
import SignPeerCore
import SignPeerCrypto

/// A key pair in the token: its alias (CKA_LABEL of the private key, or of a certificate object
/// joined by CKA_ID, as SignServer and EJBCA name keys), its CKA_ID and what is known of it.
public struct PKCS11KeyEntry: Sendable, Hashable {
    public let alias: String
    /// CKA_ID, which pairs the private key with its public key and certificate objects.
    public let id: [UInt8]
    /// The public key read back from the HSM (public key object, certificate object, or the
    /// RSA private key's public attributes); nil when the token holds none of them.
    public let publicKey: PublicKeyInfo?
    /// The DER of a certificate object with the same CKA_ID, if any.
    public let certificateDER: [UInt8]?
}

extension PKCS11Token {
    /// Every key: each private key under its label, and under the label of each certificate
    /// object that shares its CKA_ID. Sorted by alias. Objects deleted by another session while
    /// the list is made are left out.
    public func keys() async throws -> [PKCS11KeyEntry] {
        try await perform("list the keys") { session in
            var entries: [String: PKCS11KeyEntry] = [:]
            let certificates = try session.find([.ulong(CKA.class, CK.certificate)]).compactMap { handle in
                try session.unlessDeleted { () -> (String?, [UInt8])? in
                    guard let id = try session.attribute(handle, CKA.id) else { return nil }
                    return (try session.attribute(handle, CKA.label).map { String(decoding: $0, as: UTF8.self) }, id)
                } ?? nil
            }
            for handle in try session.find([.ulong(CKA.class, CK.privateKey)]) {
                try session.unlessDeleted {
                    let id = try session.attribute(handle, CKA.id) ?? []
                    var aliases = Set(certificates.filter { $0.1 == id && !id.isEmpty }.compactMap(\.0))
                    if let label = try session.attribute(handle, CKA.label) { aliases.insert(String(decoding: label, as: UTF8.self)) }
                    for alias in aliases where !alias.isEmpty && entries[alias] == nil {
                        entries[alias] = try session.entry(alias: alias, privateKey: handle, id: id)
                    }
                }
            }
            return entries.values.sorted { $0.alias < $1.alias }
        }
    }

    /// The keys among `aliases` that exist (one call; what a listing needs).
    public func keys(aliases: [String]) async throws -> [PKCS11KeyEntry] {
        try await perform("look up keys") { session in
            try aliases.compactMap { alias in
                try session.privateKey(alias: alias).map { try session.entry(alias: alias, privateKey: $0.handle, id: $0.id) }
            }
        }
    }

    /// ``keys(aliases:)`` answered from memory when every alias was looked up within `maxAge`
    /// and the module is up (SPEC §13: a listing's status costs no HSM call per listing).
    public func recentKeys(aliases: [String], maxAge: Duration) async throws -> [PKCS11KeyEntry] {
        let generation = module.generation
        if module.outageReason == nil, let known = recent.lookUp(aliases, generation: generation, maxAge: maxAge) {
            return known
        }
        let version = recent.version
        let started = ContinuousClock.now
        let found = try await keys(aliases: aliases)
        recent.remember(aliases, found: found, generation: generation, version: version, fetched: started)
        return found
    }

    public func key(alias: String) async throws -> PKCS11KeyEntry? {
        try await keys(aliases: [alias]).first
    }

    /// Generates a key pair in the token under `alias` with a fresh random CKA_ID: the private
    /// key as a token object with `template`'s attributes, the public key read back.
    ///
    /// - Throws: ``SignPeerError`` 409 `invalid_request` when the alias exists (labels are not
    ///   unique in PKCS#11, so SignPeer never creates a second one), `invalid_property` when the
    ///   module lacks the mechanism or the size, `service_unavailable` on a timeout.
    public func generateKey(alias: String, spec: KeyGenerationSpec, template: PKCS11KeyTemplate) async throws
        -> PKCS11KeyEntry
    {
        // RSA beyond 4096 bits takes far longer than any call should (RSA-16384: minutes).
        let timeout: Duration? =
            if case .rsa(let bits) = spec.algorithm, bits > 4096 { max(callTimeout, .seconds(900)) } else { nil }
        defer { recent.clear() }
        return try await perform("generate the key", timeout: timeout) { session in
            guard try session.privateKey(alias: alias) == nil, try session.find([.text(CKA.label, alias)]).isEmpty else {
                throw SignPeerError.invalidRequest("The token already has a key '\(alias.prefix(64))'.")
            }
            var id = [UInt8](repeating: 0, count: 16)
            var generator = SystemRandomNumberGenerator()
            for index in id.indices { id[index] = generator.next() }
            let (mechanism, keyType, publicParameters) = try session.generationParameters(spec)
            func half(_ objectClass: CK_OBJECT_CLASS) -> [PKCS11Attribute] {
                [.text(CKA.label, alias), .bytes(CKA.id, id)]
                    + template.attributes(objectClass: objectClass, keyType: keyType).sorted { $0.key < $1.key }
                    .map { PKCS11Attribute.bool($0.key, $0.value) }
            }
            var mechanismStruct = CK_MECHANISM(mechanism: mechanism, pParameter: nil, ulParameterLen: 0)
            var publicHandle: CK_OBJECT_HANDLE = 0
            var privateHandle: CK_OBJECT_HANDLE = 0
            let publicTemplate = half(CK.publicKey) + publicParameters
            // A CKR_GENERAL_ERROR, and then a public key that cannot be read, may be transient.
            let rv = PKCS11Session.askingAgain({
                publicTemplate.withTemplate { publicPointer, publicCount in
                    half(CK.privateKey).withTemplate { privatePointer, privateCount in
                        session.functions.C_GenerateKeyPair!(
                            session.handle, &mechanismStruct, publicPointer, publicCount, privatePointer, privateCount,
                            &publicHandle, &privateHandle)
                    }
                }
            }, while: { $0 == CK_RV(0x05) })
            try session.check(rv, "C_GenerateKeyPair")
            do {
                let entry = try PKCS11Session.askingAgain(
                    { try session.entry(alias: alias, privateKey: privateHandle, id: id) }, while: { $0.publicKey == nil })
                guard entry.publicKey != nil else {
                    throw SignPeerError.internalError("The HSM generated a key whose public key cannot be read.")
                }
                return entry
            } catch {
                _ = session.functions.C_DestroyObject!(session.handle, privateHandle)
                _ = session.functions.C_DestroyObject!(session.handle, publicHandle)
                throw error
            }
        }
    }

    /// Deletes the private key of `alias` and every public key and certificate object with its
    /// CKA_ID. Answers false when there is no such key.
    public func deleteKey(alias: String) async throws -> Bool {
        defer { recent.clear() }
        return try await perform("delete the key") { session in
            guard let key = try session.privateKey(alias: alias) else { return false }
            var objects = [key.handle]
            if !key.id.isEmpty {
                for objectClass in [CK.publicKey, CK.certificate] {
                    objects += try session.find([.ulong(CKA.class, objectClass), .bytes(CKA.id, key.id)])
                }
            }
            for object in objects {
                try session.check(session.functions.C_DestroyObject!(session.handle, object), "C_DestroyObject")
            }
            return true
        }
    }
}

extension PKCS11Session {
    /// `body`'s result, or nil when the object it reads was destroyed meanwhile
    /// (CKR_OBJECT_HANDLE_INVALID): finding and reading objects are separate calls.
    func unlessDeleted<T>(_ body: () throws -> T) throws -> T? {
        do {
            return try body()
        } catch let error as PKCS11Error where error.returnValue == CK.objectHandleInvalid {
            return nil
        }
    }

    /// The private key of `alias`: the one labelled so, or the one sharing CKA_ID with a
    /// certificate object labelled so. More than one candidate is refused, never guessed.
    func privateKey(alias: String) throws -> (handle: CK_OBJECT_HANDLE, id: [UInt8])? {
        let labelled = try find([.ulong(CKA.class, CK.privateKey), .text(CKA.label, alias)])
        if labelled.count > 1 { throw Self.ambiguous(alias) }
        if let handle = labelled.first { return (handle, try attribute(handle, CKA.id) ?? []) }
        let ids = Set(try find([.ulong(CKA.class, CK.certificate), .text(CKA.label, alias)]).compactMap { try attribute($0, CKA.id) })
        guard !ids.isEmpty else { return nil }
        guard ids.count == 1, let id = ids.first, !id.isEmpty else { throw Self.ambiguous(alias) }
        let joined = try find([.ulong(CKA.class, CK.privateKey), .bytes(CKA.id, id)])
        if joined.count > 1 { throw Self.ambiguous(alias) }
        return joined.first.map { ($0, id) }
    }

    /// The private key `alias` with the CKA_ID `id` that an earlier look-up or the generation
    /// found; a find that misses it may be transient (``askingAgain(_:while:)``: a renewal's CSR
    /// signing missed the key it had just generated).
    func knownPrivateKey(alias: String, id: [UInt8]) throws -> (handle: CK_OBJECT_HANDLE, id: [UInt8])? {
        let key = try Self.askingAgain({ try privateKey(alias: alias) }, while: { $0?.id != id })
        return key?.id == id ? key : nil
    }

    static func ambiguous(_ alias: String) -> SignPeerError {
        SignPeerError.keyNotFound("The token has several private keys for alias '\(alias.prefix(64))'; remove the duplicates.")
    }

    func entry(alias: String, privateKey: CK_OBJECT_HANDLE, id: [UInt8]) throws -> PKCS11KeyEntry {
        let certificate = id.isEmpty ? nil : try find([.ulong(CKA.class, CK.certificate), .bytes(CKA.id, id)]).first
        let certificateDER = try certificate.flatMap { try attribute($0, CKA.value) }
        return PKCS11KeyEntry(
            alias: alias, id: id, publicKey: try publicKey(privateKey: privateKey, id: id, certificateDER: certificateDER),
            certificateDER: certificateDER)
    }

    /// The public key: from the public key object with the same CKA_ID, else from a certificate
    /// object, else (RSA) from the private key's modulus and exponent.
    func publicKey(privateKey: CK_OBJECT_HANDLE, id: [UInt8], certificateDER: [UInt8]?) throws -> PublicKeyInfo? {
        if !id.isEmpty, let object = try find([.ulong(CKA.class, CK.publicKey), .bytes(CKA.id, id)]).first,
            let key = try publicKey(of: object)
        {
            return key
        }
        if let certificateDER, let certificate = try? Certificate(derEncoded: certificateDER) {
            return try PublicKeyInfo(derEncoded: certificate.subjectPublicKeyInfoDER)
        }
        return try publicKey(of: privateKey)
    }

    /// The public key from an object's CKA_MODULUS/CKA_PUBLIC_EXPONENT or CKA_EC_PARAMS/CKA_EC_POINT.
    private func publicKey(of object: CK_OBJECT_HANDLE) throws -> PublicKeyInfo? {
        switch try ulong(object, CKA.keyType) {
        case CK.rsa:
            guard let modulus = try attribute(object, CKA.modulus), let exponent = try attribute(object, CKA.publicExponent)
            else { return nil }
            return try PublicKeyInfo.rsa(modulus: modulus, publicExponent: exponent)
        case CK.ec, CK.ecEdwards:
            guard let parameters = try attribute(object, CKA.ecParams), let point = try attribute(object, CKA.ecPoint)
            else { return nil }
            return try PublicKeyInfo.ellipticCurve(parameters: parameters, point: point)
        default:
            return nil
        }
    }

    /// Mechanism, key type and public-template parameters for `spec`, after checking the module
    /// has the mechanism (and, for RSA, the size).
    func generationParameters(_ spec: KeyGenerationSpec) throws -> (CK_MECHANISM_TYPE, CK_KEY_TYPE, [PKCS11Attribute]) {
        switch spec.algorithm {
        case .rsa(let bits):
            let info = try mechanismInfo(CK.rsaKeyPairGen, "CKM_RSA_PKCS_KEY_PAIR_GEN", property: "KEYALG 'RSA'")
            guard info.ulMinKeySize...info.ulMaxKeySize ~= CK_ULONG(bits) else {
                throw SignPeerError(
                    .invalidProperty,
                    "KEYSPEC '\(bits)' is outside the module's RSA key sizes (\(info.ulMinKeySize)–\(info.ulMaxKeySize)).")
            }
            return (CK.rsaKeyPairGen, CK.rsa, [.ulong(CKA.modulusBits, CK_ULONG(bits)), .bytes(CKA.publicExponent, [1, 0, 1])])
        case .ec(let curve):
            _ = try mechanismInfo(CK.ecKeyPairGen, "CKM_EC_KEY_PAIR_GEN", property: "KEYALG 'ECDSA'")
            return (CK.ecKeyPairGen, CK.ec, [.bytes(CKA.ecParams, curve.objectIdentifierDER)])
        case .ed25519, .ed448:
            let name = spec.algorithm == .ed25519 ? "Ed25519" : "Ed448"
            _ = try mechanismInfo(CK.ecEdwardsKeyPairGen, "CKM_EC_EDWARDS_KEY_PAIR_GEN", property: "KEYALG '\(name)'")
            return (CK.ecEdwardsKeyPairGen, CK.ecEdwards, [.bytes(CKA.ecParams, spec.algorithm.edwardsObjectIdentifierDER!)])
        }
    }

    func mechanismInfo(_ mechanism: CK_MECHANISM_TYPE, _ name: String, property: String) throws -> CK_MECHANISM_INFO {
        var info = CK_MECHANISM_INFO()
        let rv = functions.C_GetMechanismInfo!(slot, mechanism, &info)
        if rv == CK.mechanismInvalid {
            throw SignPeerError(.invalidProperty, "\(property) cannot be used: the module has no \(name).")
        }
        try check(rv, "C_GetMechanismInfo")
        return info
    }
}
