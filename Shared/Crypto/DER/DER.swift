/// A minimal DER writer and reader for the few structures SignPeer assembles itself: the
/// SubjectPublicKeyInfo of a key that lives in an HSM (whose parts PKCS#11 hands out as
/// attributes), signature AlgorithmIdentifiers, DigestInfo and ECDSA-Sig-Value. Everything
/// built here is parsed back by OpenSSL before use, so a mistake cannot go unnoticed. (OpenSSL's
/// own `i2d_*` encoding is in `DER+OpenSSL.swift`.)
enum DER {
    static func tagged(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + length(content.count) + content
    }

    static func length(_ count: Int) -> [UInt8] {
        guard count >= 0x80 else { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var remaining = count
        while remaining > 0 {
            bytes.insert(UInt8(remaining & 0xFF), at: 0)
            remaining >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func sequence(_ items: [[UInt8]]) -> [UInt8] { tagged(0x30, items.flatMap { $0 }) }
    static let null: [UInt8] = [0x05, 0x00]
    static func octetString(_ bytes: [UInt8]) -> [UInt8] { tagged(0x04, bytes) }
    /// A BIT STRING with no unused bits.
    static func bitString(_ bytes: [UInt8]) -> [UInt8] { tagged(0x03, [0] + bytes) }
    static func contextSpecific(_ number: UInt8, _ content: [UInt8]) -> [UInt8] { tagged(0xA0 | number, content) }

    /// A non-negative INTEGER from big-endian magnitude bytes.
    static func unsignedInteger(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty || bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tagged(0x02, bytes)
    }

    static func integer(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var remaining = value
        repeat {
            bytes.insert(UInt8(remaining & 0xFF), at: 0)
            remaining >>= 8
        } while remaining > 0
        return unsignedInteger(bytes)
    }

    /// An OBJECT IDENTIFIER from its dotted form (a constant of this module, so never malformed).
    static func objectIdentifier(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").map { Int($0)! }
        var content: [UInt8] = [UInt8(arcs[0] * 40 + arcs[1])]
        for arc in arcs.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(arc & 0x7F)]
            var remaining = arc >> 7
            while remaining > 0 {
                chunk.insert(UInt8(0x80 | (remaining & 0x7F)), at: 0)
                remaining >>= 7
            }
            content += chunk
        }
        return tagged(0x06, content)
    }

    /// Splits one DER element at the start of `bytes` into tag and content; `nil` unless the
    /// element fills `bytes` exactly.
    static func element(_ bytes: [UInt8]) -> (tag: UInt8, content: [UInt8])? {
        guard bytes.count >= 2 else { return nil }
        var offset = 2
        var count = Int(bytes[1])
        if bytes[1] & 0x80 != 0 {
            let lengthBytes = Int(bytes[1] & 0x7F)
            guard (1...4).contains(lengthBytes), bytes.count >= 2 + lengthBytes else { return nil }
            count = bytes[2..<(2 + lengthBytes)].reduce(0) { $0 << 8 | Int($1) }
            offset += lengthBytes
        }
        guard bytes.count - offset == count else { return nil }
        return (bytes[0], Array(bytes[offset...]))
    }
}
