import CPKCS11
import SignPeerCore

/// The attributes of generated key pairs: SignServer's defaults (private key: token, private,
/// sensitive, not extractable, sign only; public key: token, verify only), changed by the
/// worker's `ATTRIBUTES` or `ATTRIBUTESFILE` in SignServer's (SunPKCS11's) syntax:
///
/// ```
/// attributes(generate, CKO_PRIVATE_KEY, *) = { CKA_SIGN = true CKA_DECRYPT = false }
/// attributes(generate, CKO_PUBLIC_KEY, CKK_RSA) = { CKA_VERIFY = true }
/// ```
///
/// Operation `generate` or `*`; class `CKO_PRIVATE_KEY`, `CKO_PUBLIC_KEY` or `*`; key type
/// `CKK_RSA`, `CKK_EC`, `CKK_EC_EDWARDS` or `*`. Blocks apply in order. Only the boolean
/// attributes SPEC §6.1 lists are honoured, anything else is refused by name; so is a template
/// that would make the private key leave the HSM (not sensitive, extractable) or not persist
/// (CKA_TOKEN false). The public key is always a token object, even when a template (like
/// SignServer's sample) says `CKA_TOKEN = false`: SignPeer reads it back from the HSM for the
/// listing, the SKI and the certificate match, and a public key is no secret.
public struct PKCS11KeyTemplate: Sendable, Hashable {
    struct Rule: Sendable, Hashable {
        var objectClass: CK_OBJECT_CLASS?
        var keyType: CK_KEY_TYPE?
        var values: [CK_ATTRIBUTE_TYPE: Bool]
    }

    var rules: [Rule] = []

    public static let signServerDefault = PKCS11KeyTemplate()

    /// Parses an `ATTRIBUTES` value (or the content of an `ATTRIBUTESFILE`); `property` names
    /// where it came from in errors.
    ///
    /// - Throws: ``SignPeerError`` `.invalidProperty` naming the property and the offending part.
    public init(parsing text: String, property: String) throws {
        var rest = Substring(text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.trimmingWhitespace().hasPrefix("#") ? "" : String(line) }.joined(separator: "\n"))
        func fail(_ problem: String) -> SignPeerError {
            SignPeerError(.invalidProperty, "\(property): \(problem)")
        }
        while true {
            rest = rest.drop { $0.isWhitespace }
            if rest.isEmpty { break }
            guard rest.lowercased().hasPrefix("attributes"), let open = rest.firstIndex(of: "("),
                let close = rest[open...].firstIndex(of: ")")
            else { throw fail("expected 'attributes(generate, <class>, <key type>) = { … }' at '\(rest.prefix(40))'") }
            let selectors = rest[rest.index(after: open)..<close].split(separator: ",").map { $0.trimmingWhitespace() }
            guard selectors.count == 3 else { throw fail("'\(rest[...close].prefix(80))' needs three selectors") }
            var after = rest[rest.index(after: close)...].drop { $0.isWhitespace }
            guard after.first == "=" else { throw fail("expected '=' after '\(rest[...close].prefix(80))'") }
            after = after.dropFirst().drop { $0.isWhitespace }
            guard after.first == "{", let end = after.firstIndex(of: "}") else {
                throw fail("expected '{ … }' after '\(rest[...close].prefix(80))'")
            }
            let body = after[after.index(after: after.startIndex)..<end]
            rest = after[after.index(after: end)...]

            let operation = selectors[0].lowercased()
            guard ["generate", "*", "import"].contains(operation) else {
                throw fail("operation '\(selectors[0].prefix(32))' is not generate or *")
            }
            let objectClass: CK_OBJECT_CLASS?
            switch selectors[1].uppercased() {
            case "*": objectClass = nil
            case "CKO_PRIVATE_KEY": objectClass = CK.privateKey
            case "CKO_PUBLIC_KEY": objectClass = CK.publicKey
            default: throw fail("object class '\(selectors[1].prefix(32))' is not CKO_PRIVATE_KEY, CKO_PUBLIC_KEY or *")
            }
            let keyType: CK_KEY_TYPE?
            switch selectors[2].uppercased() {
            case "*": keyType = nil
            case "CKK_RSA": keyType = CK.rsa
            case "CKK_EC", "CKK_ECDSA": keyType = CK.ec
            case "CKK_EC_EDWARDS": keyType = CK.ecEdwards
            default: throw fail("key type '\(selectors[2].prefix(32))' is not CKK_RSA, CKK_EC, CKK_EC_EDWARDS or *")
            }
            let words = body.split { $0.isWhitespace || $0 == "=" }.map(String.init)
            guard words.count % 2 == 0 else { throw fail("every attribute needs '= true' or '= false'") }
            var values: [CK_ATTRIBUTE_TYPE: Bool] = [:]
            for pair in stride(from: 0, to: words.count, by: 2) {
                let name = words[pair].uppercased()
                guard let type = CKA.templateBooleans[name] else {
                    let allowed = CKA.templateBooleans.keys.sorted().joined(separator: ", ")
                    throw fail("attribute \(words[pair].prefix(40)) is not supported (allowed: \(allowed))")
                }
                switch words[pair + 1].lowercased() {
                case "true": values[type] = true
                case "false": values[type] = false
                default: throw fail("\(name) = '\(words[pair + 1].prefix(20))' is not true or false")
                }
            }
            // An import-only block does not concern generation.
            if operation != "import" { rules.append(Rule(objectClass: objectClass, keyType: keyType, values: values)) }
        }
        for keyType in [CK.rsa, CK.ec, CK.ecEdwards] {
            let privateValues = attributes(objectClass: CK.privateKey, keyType: keyType)
            if privateValues[CKA.sensitive] == false || privateValues[CKA.extractable] == true
                || privateValues[CKA.token] == false
            {
                throw fail("private keys must stay sensitive, non-extractable token objects (CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_TOKEN)")
            }
        }
    }

    private init() {}

    /// The boolean attributes of one half of a key pair of `keyType`: the defaults, then every
    /// matching rule in order.
    func attributes(objectClass: CK_OBJECT_CLASS, keyType: CK_KEY_TYPE) -> [CK_ATTRIBUTE_TYPE: Bool] {
        var values: [CK_ATTRIBUTE_TYPE: Bool] =
            objectClass == CK.privateKey
            ? [
                CKA.token: true, CKA.private: true, CKA.sensitive: true, CKA.extractable: false, CKA.sign: true,
                CKA.decrypt: false, CKA.unwrap: false, CKA.derive: false,
            ]
            : [CKA.token: true, CKA.verify: true, CKA.encrypt: false, CKA.wrap: false]
        for rule in rules where (rule.objectClass ?? objectClass) == objectClass && (rule.keyType ?? keyType) == keyType {
            values.merge(rule.values) { _, new in new }
        }
        if objectClass == CK.publicKey { values[CKA.token] = true }
        return values
    }
}
