/// The one error type that crosses module and service boundaries.
///
/// Every failure a client can see has a stable machine `code` (the SPEC's snake_case names) and a
/// human `message` that never contains secrets or stack traces. Services render it as
/// `{"error": {"code": ..., "message": ...}}`, with the HTTP status that the code maps to in one
/// table (`Shared/Server/ErrorStatus.swift`); Core knows no HTTP. Make errors with the static
/// factory of their code (`.workerNotFound("...")`), which records where they were made
/// (`file`/`line`, for the log of a 5xx — never sent to clients).
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
    /// Where the error was made (`#fileID`), for logs.
    public var file: String
    public var line: UInt

    /// An error with any code — for codes read back from another service's answer. Code that
    /// raises an error uses its code's factory.
    public init(_ code: Code, _ message: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// The same error with another message (e.g. prefixed with a line number), keeping its origin.
    public func withMessage(_ message: String) -> SignPeerError {
        var copy = self
        copy.message = message
        return copy
    }

    /// Two errors are the same when their code and message are; where they were made is not
    /// part of their identity.
    public static func == (lhs: SignPeerError, rhs: SignPeerError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension SignPeerError.Code {
    // Request shape
    public static let invalidRequest: Self = "invalid_request"
    public static let requestTooLarge: Self = "request_too_large"
    public static let notFound: Self = "not_found"
    public static let methodNotAllowed: Self = "method_not_allowed"
    public static let requestHeaderTooLarge: Self = "request_header_too_large"
    public static let unsupportedMediaType: Self = "unsupported_media_type"

    // Authentication and authorization (SPEC §4)
    public static let clientCertificateRequired: Self = "client_certificate_required"
    public static let internalCredentialRequired: Self = "internal_credential_required"
    public static let forbidden: Self = "forbidden"
    public static let peersIncomingDisabled: Self = "peers_incoming_disabled"
    public static let peerNotAuthorized: Self = "peer_not_authorized"
    public static let clientCertificateRevoked: Self = "client_certificate_revoked"
    public static let revocationStatusUnknown: Self = "revocation_status_unknown"

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

extension SignPeerError {
    // One factory per code, recording where the error was made.
    public static func invalidRequest(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.invalidRequest, message, file: file, line: line)
    }
    public static func requestTooLarge(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.requestTooLarge, message, file: file, line: line)
    }
    public static func notFound(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.notFound, message, file: file, line: line)
    }
    public static func methodNotAllowed(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.methodNotAllowed, message, file: file, line: line)
    }
    public static func requestHeaderTooLarge(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.requestHeaderTooLarge, message, file: file, line: line)
    }
    public static func unsupportedMediaType(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.unsupportedMediaType, message, file: file, line: line)
    }
    public static func clientCertificateRequired(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.clientCertificateRequired, message, file: file, line: line)
    }
    public static func internalCredentialRequired(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.internalCredentialRequired, message, file: file, line: line)
    }
    public static func forbidden(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.forbidden, message, file: file, line: line)
    }
    public static func peersIncomingDisabled(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.peersIncomingDisabled, message, file: file, line: line)
    }
    public static func peerNotAuthorized(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.peerNotAuthorized, message, file: file, line: line)
    }
    public static func clientCertificateRevoked(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.clientCertificateRevoked, message, file: file, line: line)
    }
    public static func revocationStatusUnknown(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.revocationStatusUnknown, message, file: file, line: line)
    }
    public static func invalidDN(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.invalidDN, message, file: file, line: line)
    }
    public static func invalidSerialNumber(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.invalidSerialNumber, message, file: file, line: line)
    }
    public static func invalidCertificate(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.invalidCertificate, message, file: file, line: line)
    }
    public static func invalidProperty(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.invalidProperty, message, file: file, line: line)
    }
    public static func keyBindingNotFound(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.keyBindingNotFound, message, file: file, line: line)
    }
    public static func workerNotFound(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.workerNotFound, message, file: file, line: line)
    }
    public static func cryptoTokenOffline(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.cryptoTokenOffline, message, file: file, line: line)
    }
    public static func keyNotFound(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.keyNotFound, message, file: file, line: line)
    }
    public static func notEndEntity(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.notEndEntity, message, file: file, line: line)
    }
    public static func certificateKeyMismatch(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.certificateKeyMismatch, message, file: file, line: line)
    }
    public static func chainInvalid(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.chainInvalid, message, file: file, line: line)
    }
    public static func certificateNotValidNow(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.certificateNotValidNow, message, file: file, line: line)
    }
    public static func serviceUnavailable(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.serviceUnavailable, message, file: file, line: line)
    }
    public static func databaseError(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.databaseError, message, file: file, line: line)
    }
    public static func internalError(_ message: String, file: String = #fileID, line: UInt = #line) -> Self {
        Self(.internalError, message, file: file, line: line)
    }
}
