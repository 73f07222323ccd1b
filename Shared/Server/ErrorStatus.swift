import HTTPTypes
import SignPeerCore
import SignPeerCrypto

extension SignPeerError.Code {
    /// The HTTP status every service answers this code with (SPEC §8, §11) — the one table; an
    /// unknown code (e.g. from a newer service) is a 500.
    public var httpStatus: HTTPResponse.Status {
        HTTPResponse.Status(code: Self.statusTable[self] ?? 500)
    }

    static let statusTable: [SignPeerError.Code: Int] = [
        .invalidRequest: 400, .requestTooLarge: 413, .notFound: 404, .methodNotAllowed: 405,
        .clientCertificateRequired: 401, .internalCredentialRequired: 401, .forbidden: 403,
        .peersIncomingDisabled: 403, .peerNotAuthorized: 403, .authenticationFailed: 403,
        .invalidDN: 400, .invalidSerialNumber: 400, .invalidCertificate: 400, .invalidProperty: 400,
        .keyBindingNotFound: 404, .workerNotFound: 404, .cryptoTokenOffline: 409, .keyNotFound: 409,
        .notEndEntity: 400, .certificateKeyMismatch: 400, .chainInvalid: 400, .certificateNotValidNow: 400,
        .serviceUnavailable: 503, .databaseError: 500, .internalError: 500,
    ]
}

extension SignPeerError {
    /// The HTTP status of this error's code.
    public var httpStatus: HTTPResponse.Status { code.httpStatus }
}
