/// The one error type that crosses module and service boundaries.
///
/// Every failure a client can see has a stable machine `code` (the SPEC's snake_case names), a
/// human `message` that never contains secrets or stack traces, and the HTTP status it maps to.
/// Services render it as `{"error": {"code": ..., "message": ...}}`.
public struct SignPeerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error code. Wrapped in a struct (not an enum) so new codes can be
    /// added without breaking exhaustive switches in clients.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible,
        ExpressibleByStringLiteral
    {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }
    }

    public var code: Code
    public var message: String
    /// The HTTP status this error is answered with.
    public var status: Int

    public init(_ code: Code, _ message: String, status: Int = 400) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension SignPeerError.Code {
    // Request shape
    public static let invalidRequest: Self = "invalid_request"
    public static let requestTooLarge: Self = "request_too_large"
    public static let notFound: Self = "not_found"
    public static let methodNotAllowed: Self = "method_not_allowed"

    // Authentication and authorization (SPEC §4)
    public static let clientCertificateRequired: Self = "client_certificate_required"
    public static let internalCredentialRequired: Self = "internal_credential_required"
    public static let forbidden: Self = "forbidden"
    public static let peersIncomingDisabled: Self = "peers_incoming_disabled"
    public static let peerNotAuthorized: Self = "peer_not_authorized"

    // Input values
    public static let invalidDN: Self = "invalid_dn"
    public static let invalidSerialNumber: Self = "invalid_serial_number"
    public static let invalidCertificate: Self = "invalid_certificate"
    public static let invalidProperty: Self = "invalid_property"

    // Key bindings and renewal (SPEC §5, §7)
    public static let keyBindingNotFound: Self = "key_binding_not_found"
    public static let workerNotFound: Self = "worker_not_found"
    public static let cryptoTokenOffline: Self = "crypto_token_offline"
    public static let keyNotFound: Self = "key_not_found"
    public static let notEndEntity: Self = "not_end_entity"
    public static let certificateKeyMismatch: Self = "certificate_key_mismatch"
    public static let chainInvalid: Self = "chain_invalid"
    public static let certificateNotValidNow: Self = "certificate_not_valid_now"

    // Infrastructure
    public static let serviceUnavailable: Self = "service_unavailable"
    public static let databaseError: Self = "database_error"
    public static let internalError: Self = "internal_error"
}
