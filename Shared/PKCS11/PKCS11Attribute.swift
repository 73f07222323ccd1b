import CPKCS11

/// One attribute of a PKCS#11 template, as Swift values; turned into `CK_ATTRIBUTE`s with
/// buffers that live for the duration of one call.
struct PKCS11Attribute: Sendable {
    var type: CK_ATTRIBUTE_TYPE
    var bytes: [UInt8]

    static func bool(_ type: CK_ATTRIBUTE_TYPE, _ value: Bool) -> Self { Self(type: type, bytes: [value ? 1 : 0]) }
    static func ulong(_ type: CK_ATTRIBUTE_TYPE, _ value: CK_ULONG) -> Self {
        Self(type: type, bytes: withUnsafeBytes(of: value) { Array($0) })
    }
    static func bytes(_ type: CK_ATTRIBUTE_TYPE, _ value: [UInt8]) -> Self { Self(type: type, bytes: value) }
    static func text(_ type: CK_ATTRIBUTE_TYPE, _ value: String) -> Self { Self(type: type, bytes: Array(value.utf8)) }
}

extension Array where Element == PKCS11Attribute {
    /// Runs `body` with a `CK_ATTRIBUTE` array pointing at copies of the values.
    func withTemplate<T>(_ body: (UnsafeMutablePointer<CK_ATTRIBUTE>?, CK_ULONG) throws -> T) rethrows -> T {
        let buffers = map { attribute -> UnsafeMutableRawPointer? in
            guard !attribute.bytes.isEmpty else { return nil }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: attribute.bytes.count, alignment: 8)
            buffer.copyMemory(from: attribute.bytes, byteCount: attribute.bytes.count)
            return buffer
        }
        defer { buffers.forEach { $0?.deallocate() } }
        var template = zip(self, buffers).map { attribute, buffer in
            CK_ATTRIBUTE(type: attribute.type, pValue: buffer, ulValueLen: CK_ULONG(attribute.bytes.count))
        }
        return try template.withUnsafeMutableBufferPointer { try body($0.baseAddress, CK_ULONG($0.count)) }
    }
}
