/// Worker and global property names (SPEC §3) and the rules every writer applies to them:
/// names are upper-case, and the SignServer synonyms are stored under one canonical name.
public enum PropertyName {
    public static let peersIncomingEnabled = "PEERS_INCOMING_ENABLED"
    public static let peersVisible = "PEERS_VISIBLE"
    public static let peersIssued = "PEERS_ISSUED"
    public static let peersKeepChain = "PEERS_KEEPCHAIN"
    public static let disabled = "DISABLED"
    public static let signatureAlgorithm = "SIGNATUREALGORITHM"
    public static let requestSignatureAlgorithm = "REQUESTSIGNATUREALGORITHM"
    public static let keyAlgorithm = "KEYALG"
    public static let keySpecification = "KEYSPEC"
    public static let requestDN = "REQUESTDN"
    public static let cryptoToken = "CRYPTOTOKEN"
    public static let cryptoTokenImplementation = "CRYPTOTOKEN_IMPLEMENTATION_CLASS"
    public static let defaultKey = "DEFAULTKEY"
    public static let nextCertSignKey = "NEXTCERTSIGNKEY"
    public static let signerCertificate = "SIGNERCERTIFICATE"
    public static let signerCertificateChain = "SIGNERCERTIFICATECHAIN"
    public static let name = "NAME"
    public static let type = "TYPE"
    public static let keystorePassword = "KEYSTOREPASSWORD"
    public static let pin = "PIN"

    /// The properties SignPeer reads itself; their values are stored without surrounding
    /// whitespace. Any other property (IMPLEMENTATION_CLASS, AUTHTYPE, …) is stored exactly as
    /// given, so SignServer configurations keep their meaning when they move on.
    public static let interpreted: Set<String> = [
        peersIncomingEnabled, peersVisible, peersIssued, peersKeepChain, disabled, signatureAlgorithm,
        requestSignatureAlgorithm, keyAlgorithm, keySpecification, requestDN, cryptoToken, cryptoTokenImplementation,
        defaultKey, nextCertSignKey, signerCertificate, signerCertificateChain, name, type, keystorePassword, pin,
        "KEYSTORETYPE", "KEYSTOREPATH", "SHAREDLIBRARYNAME", "SLOTLABELTYPE", "SLOTLABELVALUE",
    ]

    /// Properties whose values are secrets: never returned by `getconfig`, never logged.
    public static let secret: Set<String> = [keystorePassword, pin, "AUTHCODE", "KEYSTOREPASS"]

    /// Properties that hold certificates and are stored as canonical PEM.
    public static let certificates: Set<String> = [signerCertificate, signerCertificateChain]

    static let synonyms = ["SIGNERCERT": signerCertificate, "SIGNERCERTCHAIN": signerCertificateChain]

    /// The canonical stored name: upper-cased, synonyms resolved. Throws `invalid_property` for
    /// names that are empty or contain anything but letters, digits, `_`, `.` and `-`.
    public static func canonical(_ raw: String) throws -> String {
        let upper = raw.trimmingWhitespace().uppercased()
        guard (1...128).contains(upper.utf8.count),
            upper.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D })
        else {
            throw SignPeerError.invalidProperty("Invalid property name '\(raw.prefix(64))'.")
        }
        return synonyms[upper] ?? upper
    }

    /// SPEC §3: an empty or whitespace-only value counts as absent.
    public static func isAbsent(_ value: String?) -> Bool {
        // Looks only as far as the first non-whitespace character: values include PEM chains.
        guard let value else { return true }
        return value.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }

    /// SPEC §3 booleans: `true`/`false`, case-insensitive; anything else (or absent) is `false`.
    public static func isTrue(_ value: String?) -> Bool {
        value?.trimmingWhitespace().lowercased() == "true"
    }
}

extension StringProtocol {
    /// The string without leading and trailing whitespace and newlines.
    public func trimmingWhitespace() -> String {
        let string = String(self)
        let scalars = string.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        // Most values have nothing to trim: no copy then (a PEM chain is kilobytes).
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return string }
        return String(scalars[first...last])
    }
}
