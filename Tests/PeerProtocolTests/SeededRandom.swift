/// SplitMix64: a small, fast generator whose sequence is fixed by its seed, so a failing
/// property or fuzz case is reproduced by re-running with the printed seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &self) } }

    mutating func string(maxLength: Int = 40) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-=/ åäöé€𝄞")
        return String((0..<Int.random(in: 0...maxLength, using: &self)).map { _ in alphabet.randomElement(using: &self)! })
    }

    mutating func optionalString() -> String? { Bool.random(using: &self) ? string() : nil }

    mutating func int32() -> Int32 { Int32.random(in: .min ... .max, using: &self) }

    mutating func encoding() -> CertificateEncodingChoice {
        switch Int.random(in: 0..<4, using: &self) {
        case 0: .none
        case 1: .some(0)
        case 2: .some(1)
        default: .some(int32())
        }
    }
}

/// `nil` = a version-0 message without the encoding field, else the raw encoding value.
typealias CertificateEncodingChoice = Int32?
