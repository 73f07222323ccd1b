extension SignPeerError.Code {
    // Connections and request framing (SPEC §11)
    public static let requestHeaderTooLarge: Self = "request_header_too_large"
    public static let unsupportedMediaType: Self = "unsupported_media_type"
    public static let clientCertificateRevoked: Self = "client_certificate_revoked"
    public static let revocationStatusUnknown: Self = "revocation_status_unknown"
}
