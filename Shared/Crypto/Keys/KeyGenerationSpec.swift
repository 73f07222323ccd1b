import SignPeerCore

/// What kind of key pair to generate next, read from a worker's `KEYALG` and `KEYSPEC`
/// properties (SPEC §3).
public struct KeyGenerationSpec: Sendable, Hashable {
    /// A key algorithm with its size or curve.
    public enum KeyAlgorithm: Sendable, Hashable {
        /// RSA with a modulus of `bits` bits and public exponent 65537.
        case rsa(bits: Int)
        case ec(curve: NamedCurve)
        case ed25519
        case ed448
    }

    /// The elliptic curves SignPeer generates keys on; the raw value is the canonical name that
    /// key listings report.
    public enum NamedCurve: String, Sendable, Hashable, CaseIterable {
        case secp256r1
        case secp384r1
        case secp521r1
        case brainpoolP256r1
        case brainpoolP384r1
        case brainpoolP512r1

        /// The group name OpenSSL knows the curve by.
        var openSSLGroupName: String {
            self == .secp256r1 ? "prime256v1" : rawValue
        }

        /// The curve a `KEYSPEC` value names: a canonical name, `prime256v1`, or a NIST name
        /// (`P-256`), case-insensitively.
        init?(keySpecification: String) {
            let aliases: [String: NamedCurve] = [
                "prime256v1": .secp256r1, "p-256": .secp256r1, "p-384": .secp384r1, "p-521": .secp521r1,
            ]
            let key = keySpecification.lowercased()
            guard let curve = aliases[key] ?? Self.allCases.first(where: { $0.rawValue.lowercased() == key })
            else { return nil }
            self = curve
        }
    }

    /// The RSA key lengths `KEYSPEC` may ask for.
    public static let rsaBitRange = 1024...16384
    public static let defaultRSABits = 2048
    public static let defaultCurve = NamedCurve.secp256r1

    public var algorithm: KeyAlgorithm

    public init(algorithm: KeyAlgorithm) {
        self.algorithm = algorithm
    }

    /// Applies SPEC §3 to the two property values; blank values count as absent.
    ///
    /// - `KEYALG`: `RSA` (the default), `ECDSA` or `EC`, `Ed25519`, `Ed448`, case-insensitively.
    /// - `KEYSPEC` for RSA: a bit length in ``rsaBitRange``, default ``defaultRSABits``.
    /// - `KEYSPEC` for EC: a curve name (see ``NamedCurve``). docs/SPEC.md names no default; an EC key
    ///   without `KEYSPEC` is made on ``defaultCurve`` (secp256r1, the curve every CA accepts),
    ///   just as RSA falls back to 2048 bits, so `KEYALG=ECDSA` alone is a working configuration.
    /// - `KEYSPEC` is ignored for EdDSA, whose keys have one size.
    ///
    /// - Throws: ``SignPeerError`` `.invalidProperty` (400) naming the property and its value.
    public static func parse(keyAlgorithm: String?, keySpecification: String?) throws -> KeyGenerationSpec {
        let algorithm = presentValue(keyAlgorithm) ?? "RSA"
        let specification = presentValue(keySpecification)
        switch algorithm.uppercased() {
        case "RSA":
            guard let specification else { return Self(algorithm: .rsa(bits: defaultRSABits)) }
            guard let bits = Int(specification), rsaBitRange.contains(bits) else {
                let range = "\(rsaBitRange.lowerBound)–\(rsaBitRange.upperBound)"
                throw SignPeerError.invalidProperty("\(PropertyName.keySpecification) '\(specification)' is not a valid RSA key length (\(range))")
            }
            return Self(algorithm: .rsa(bits: bits))
        case "EC", "ECDSA":
            guard let specification else { return Self(algorithm: .ec(curve: defaultCurve)) }
            guard let curve = NamedCurve(keySpecification: specification) else {
                let names = NamedCurve.allCases.map(\.rawValue).joined(separator: ", ")
                throw SignPeerError.invalidProperty("\(PropertyName.keySpecification) '\(specification)' is not a supported EC curve (\(names))")
            }
            return Self(algorithm: .ec(curve: curve))
        case "ED25519":
            return Self(algorithm: .ed25519)
        case "ED448":
            return Self(algorithm: .ed448)
        default:
            let names = "RSA, ECDSA, Ed25519, Ed448"
            throw SignPeerError.invalidProperty("\(PropertyName.keyAlgorithm) '\(algorithm)' is not a supported key algorithm (\(names))")
        }
    }
}
