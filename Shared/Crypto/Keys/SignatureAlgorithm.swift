import SignPeerCore

/// A signature algorithm for CSRs and signatures, named as SignServer and the JCA name them.
///
/// The `…withRSAandMGF1` algorithms are RSASSA-PSS with MGF1 over the same hash and a salt as
/// long as the hash, the parameters Java and EJBCA use for these names.
public enum SignatureAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case sha256WithRSA = "SHA256withRSA"
    case sha384WithRSA = "SHA384withRSA"
    case sha512WithRSA = "SHA512withRSA"
    case sha256WithRSAandMGF1 = "SHA256withRSAandMGF1"
    case sha384WithRSAandMGF1 = "SHA384withRSAandMGF1"
    case sha512WithRSAandMGF1 = "SHA512withRSAandMGF1"
    case sha256WithECDSA = "SHA256withECDSA"
    case sha384WithECDSA = "SHA384withECDSA"
    case sha512WithECDSA = "SHA512withECDSA"
    case ed25519 = "Ed25519"
    case ed448 = "Ed448"

    /// The algorithm a name stands for, ignoring case; `nil` for unsupported names.
    public init?(name: String) {
        let key = name.lowercased()
        guard let algorithm = Self.allCases.first(where: { $0.rawValue.lowercased() == key }) else { return nil }
        self = algorithm
    }

    /// The canonical name, e.g. `SHA256withRSAandMGF1`.
    public var description: String { rawValue }

    /// The kind of key it signs with, as ``PrivateKey/algorithm`` reports it.
    public var keyAlgorithm: String {
        switch self {
        case .sha256WithRSA, .sha384WithRSA, .sha512WithRSA,
            .sha256WithRSAandMGF1, .sha384WithRSAandMGF1, .sha512WithRSAandMGF1:
            "RSA"
        case .sha256WithECDSA, .sha384WithECDSA, .sha512WithECDSA: "EC"
        case .ed25519: "Ed25519"
        case .ed448: "Ed448"
        }
    }

    /// Whether it is RSASSA-PSS.
    var usesPSS: Bool {
        [.sha256WithRSAandMGF1, .sha384WithRSAandMGF1, .sha512WithRSAandMGF1].contains(self)
    }

    /// The hash length in bytes; `nil` for EdDSA, which hashes internally.
    var hashLength: Int? {
        switch self {
        case .sha256WithRSA, .sha256WithRSAandMGF1, .sha256WithECDSA: 32
        case .sha384WithRSA, .sha384WithRSAandMGF1, .sha384WithECDSA: 48
        case .sha512WithRSA, .sha512WithRSAandMGF1, .sha512WithECDSA: 64
        case .ed25519, .ed448: nil
        }
    }

    /// The CSR signature algorithm for `key` by SPEC §3: `REQUESTSIGNATUREALGORITHM` when set,
    /// else `SIGNATUREALGORITHM`, else the default for the key type (`SHA256withRSA`,
    /// `SHA256withECDSA`, `Ed25519`, `Ed448`). Blank values and values starting with `NONEwith`
    /// (SignServer's "sign a precomputed hash" names, meaningless for a CSR) count as unset.
    ///
    /// - Throws: ``SignPeerError`` `.invalidProperty` (400) naming the property the value came
    ///   from: for an unknown name, or an algorithm that does not fit the key.
    public static func forKey(
        configured signatureAlgorithm: String?, requestSignatureAlgorithm: String?, key: PrivateKey
    ) throws -> SignatureAlgorithm {
        let candidates = [
            (PropertyName.requestSignatureAlgorithm, requestSignatureAlgorithm),
            (PropertyName.signatureAlgorithm, signatureAlgorithm),
        ]
        let chosen = candidates.lazy.compactMap { property, value in presentValue(value).map { (property, $0) } }
            .first { !$0.1.lowercased().hasPrefix("nonewith") }
        guard let (property, value) = chosen else {
            guard let algorithm = defaultAlgorithm(for: key) else {
                throw SignPeerError.invalidProperty("\(PropertyName.signatureAlgorithm) has no default for \(key.algorithm) keys")
            }
            return algorithm
        }
        guard let algorithm = SignatureAlgorithm(name: value) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            throw SignPeerError.invalidProperty("\(property) '\(value)' is not a supported signature algorithm (\(names))")
        }
        if let misfit = algorithm.misfit(for: key) {
            throw SignPeerError.invalidProperty("\(property) '\(value)' \(misfit)")
        }
        return algorithm
    }

    private static func defaultAlgorithm(for key: PrivateKey) -> SignatureAlgorithm? {
        allCases.first { $0.keyAlgorithm == key.algorithm }
    }

    /// Why this algorithm cannot sign with `key` (the end of a sentence naming the algorithm), or
    /// `nil` when it can.
    func misfit(for key: PrivateKey) -> String? {
        guard key.algorithm == keyAlgorithm else {
            let article = ["RSA", "EC", "Ed25519", "Ed448"].contains(key.algorithm) ? "an" : "a"
            return "does not fit \(article) \(key.algorithm) key"
        }
        // RSASSA-PSS needs ceil((bits - 1) / 8) >= 2 * hash length + 2 (RFC 8017 §9.1.1), which
        // rules out SHA-512 with a 1024-bit key.
        if usesPSS, let hashLength, let bits = key.specification.flatMap({ Int($0) }),
            (bits + 6) / 8 < 2 * hashLength + 2
        {
            return "does not fit an RSA key of \(bits) bits (too short for RSASSA-PSS with this hash)"
        }
        return nil
    }
}
