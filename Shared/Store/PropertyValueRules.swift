import SignPeerCore
import SignPeerCrypto

/// What a property value must look like before it is stored (SPEC §3): booleans are
/// `true`/`false`; certificate values, given as PEM or as SignServer's base64 DER (chains joined
/// by `;`), are stored as canonical PEM; a blank value means "absent" and removes the property.
/// Values of properties SignPeer does not interpret are stored exactly as given.
public enum PropertyValueRules {
    public static let booleans: Set<String> = [
        PropertyName.peersIncomingEnabled, PropertyName.peersVisible, PropertyName.peersIssued,
        PropertyName.peersKeepChain, PropertyName.disabled,
    ]

    /// The value to store, or `nil` to remove the property.
    public static func canonical(property: String, value: String) throws -> String? {
        let trimmed = value.trimmingWhitespace()
        if trimmed.isEmpty { return nil }
        guard !value.unicodeScalars.contains("\u{0}") else {
            throw SignPeerError.invalidProperty("\(property) cannot hold the character U+0000.")
        }
        if booleans.contains(property) {
            guard ["true", "false"].contains(trimmed.lowercased()) else {
                throw SignPeerError.invalidProperty("\(property) must be true or false, not '\(trimmed.prefix(32))'.")
            }
            return trimmed.lowercased()
        }
        if property == PropertyName.peersKeepOldKeys {
            guard let count = Int(trimmed), count >= 0 else {
                throw SignPeerError.invalidProperty(
                    "\(property) must be a number of keys (0 or more), not '\(trimmed.prefix(32))'.")
            }
            return String(count)
        }
        if PropertyName.certificates.contains(property) {
            let certificates: [Certificate]
            do {
                certificates = try Certificate.parse(Array(trimmed.utf8))
            } catch {
                throw SignPeerError.invalidCertificate("\(property) is not a certificate in PEM or base64 DER.")
            }
            if property == PropertyName.signerCertificate, certificates.count != 1 {
                throw SignPeerError.invalidCertificate("\(property) must hold exactly one certificate.")
            }
            return certificates.map(\.pem).joined()
        }
        return PropertyName.interpreted.contains(property) ? trimmed : value
    }

    /// Worker NAME values: the characters a worker reference may use, not all digits.
    public static func validName(_ value: String) throws -> String {
        let name = value.trimmingWhitespace()
        guard WorkerReference.isValid(name), WorkerReference.id(name) == nil, !name.allSatisfy(\.isNumber) else {
            throw SignPeerError.invalidProperty("Invalid worker name '\(name.prefix(64))': use letters, digits, _ . -")
        }
        return name
    }

    public static func validType(_ value: String) throws -> WorkerType {
        guard let type = WorkerType(rawValue: value.trimmingWhitespace().uppercased()) else {
            throw SignPeerError.invalidProperty("Invalid TYPE '\(value.prefix(32))': use \(WorkerType.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return type
    }
}
