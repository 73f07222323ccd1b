import COpenSSL

extension Certificate {
    /// Whether the certificate may authenticate a TLS client (RFC 5280 §4.2.1.12): it has no
    /// extended key usage extension, or one that lists clientAuth or anyExtendedKeyUsage.
    public var permitsTLSClientAuthentication: Bool {
        guard let x509 = try? decodeX509(der) else { return false }
        defer { X509_free(x509) }
        guard X509_get_extension_flags(x509) & UInt32(EXFLAG_XKUSAGE) != 0 else { return true }
        let usages = X509_get_extended_key_usage(x509)
        return usages & UInt32(XKU_SSL_CLIENT) != 0 || usages & UInt32(XKU_ANYEKU) != 0
    }
}
