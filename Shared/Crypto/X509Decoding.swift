import COpenSSL
import SignPeerCore

/// Decodes exactly one DER certificate into an OpenSSL `X509` that the caller must `X509_free`.
func decodeX509(_ der: [UInt8]) throws -> OpaquePointer {
    guard !der.isEmpty else { throw invalidCertificate("certificate is empty") }
    let (x509, consumed) = der.withUnsafeBufferPointer { buffer in
        var cursor = buffer.baseAddress
        let x509 = d2i_X509(nil, &cursor, buffer.count)
        return (x509, cursor.map { $0 - buffer.baseAddress! } ?? 0)
    }
    guard let x509 else {
        throw invalidCertificate("not a DER-encoded X.509 certificate", drainingOpenSSLErrors: true)
    }
    guard consumed == der.count else {
        X509_free(x509)
        throw invalidCertificate("\(der.count - consumed) unexpected bytes after the certificate")
    }
    return x509
}

/// A `.invalidCertificate` error; with `drainingOpenSSLErrors`, OpenSSL's first queued reason is
/// appended and the thread's error queue is cleared.
func invalidCertificate(_ message: String, drainingOpenSSLErrors: Bool = false) -> SignPeerError {
    guard drainingOpenSSLErrors else { return SignPeerError.invalidCertificate(message) }
    let reason = OpenSSLErrorQueue.drain()
    return SignPeerError.invalidCertificate(reason.map { "\(message) (\($0))" } ?? message)
}
