import COpenSSL

/// OpenSSL's two-call `i2d_*` encoding in one place: ask for the length, then write into a buffer
/// of exactly that size.
extension DER {
    typealias Encoder = (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32

    /// The DER encoding of `object` by `i2d` (e.g. `i2d_X509`), or nil when OpenSSL cannot encode it.
    static func encode(_ object: OpaquePointer, with i2d: Encoder) -> [UInt8]? {
        let length = i2d(object, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d(object, &cursor)
        }
        return written == length ? der : nil
    }
}
