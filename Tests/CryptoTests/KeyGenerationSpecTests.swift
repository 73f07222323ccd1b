import SignPeerCore
import SignPeerCrypto
import Testing

@Suite struct KeyGenerationSpecTests {
    @Test(arguments: [
        (nil, nil, KeyGenerationSpec.KeyAlgorithm.rsa(bits: 2048)),
        ("  ", " ", .rsa(bits: 2048)),
        ("rsa", "1024", .rsa(bits: 1024)),
        ("RSA", " 16384 ", .rsa(bits: 16384)),
        ("RSA", "3072", .rsa(bits: 3072)),
        ("ECDSA", "secp256r1", .ec(curve: .secp256r1)),
        ("EC", "prime256v1", .ec(curve: .secp256r1)),
        ("ec", "p-256", .ec(curve: .secp256r1)),
        ("ECDSA", nil, .ec(curve: .secp256r1)),
        ("ECDSA", "SECP384R1", .ec(curve: .secp384r1)),
        ("ECDSA", "P-384", .ec(curve: .secp384r1)),
        ("ECDSA", "secp521r1", .ec(curve: .secp521r1)),
        ("ECDSA", "P-521", .ec(curve: .secp521r1)),
        ("ECDSA", "brainpoolp256r1", .ec(curve: .brainpoolP256r1)),
        ("ECDSA", "brainpoolP384r1", .ec(curve: .brainpoolP384r1)),
        ("ECDSA", "brainpoolP512r1", .ec(curve: .brainpoolP512r1)),
        ("Ed25519", nil, .ed25519),
        ("ED25519", "4096", .ed25519),
        ("ed448", "secp256r1", .ed448),
    ] as [(String?, String?, KeyGenerationSpec.KeyAlgorithm)])
    func parses(_ keyAlgorithm: String?, _ keySpecification: String?, _ expected: KeyGenerationSpec.KeyAlgorithm) throws {
        let spec = try KeyGenerationSpec.parse(keyAlgorithm: keyAlgorithm, keySpecification: keySpecification)
        #expect(spec.algorithm == expected)
    }

    @Test(arguments: [
        ("DSA", nil, "KEYALG 'DSA' is not a supported key algorithm (RSA, ECDSA, Ed25519, Ed448)"),
        (" X25519 ", nil, "KEYALG 'X25519' is not a supported key algorithm (RSA, ECDSA, Ed25519, Ed448)"),
        ("RSA", "foo", "KEYSPEC 'foo' is not a valid RSA key length (1024–16384)"),
        (nil, "1023", "KEYSPEC '1023' is not a valid RSA key length (1024–16384)"),
        ("RSA", "16385", "KEYSPEC '16385' is not a valid RSA key length (1024–16384)"),
        ("RSA", "-2048", "KEYSPEC '-2048' is not a valid RSA key length (1024–16384)"),
        ("RSA", "secp256r1", "KEYSPEC 'secp256r1' is not a valid RSA key length (1024–16384)"),
        (
            "ECDSA", "secp256k1",
            "KEYSPEC 'secp256k1' is not a supported EC curve (secp256r1, secp384r1, secp521r1, brainpoolP256r1, brainpoolP384r1, brainpoolP512r1)"
        ),
        (
            "EC", "2048",
            "KEYSPEC '2048' is not a supported EC curve (secp256r1, secp384r1, secp521r1, brainpoolP256r1, brainpoolP384r1, brainpoolP512r1)"
        ),
    ] as [(String?, String?, String)])
    func rejects(_ keyAlgorithm: String?, _ keySpecification: String?, _ message: String) {
        #expect(throws: SignPeerError(.invalidProperty, message)) {
            try KeyGenerationSpec.parse(keyAlgorithm: keyAlgorithm, keySpecification: keySpecification)
        }
    }
}
