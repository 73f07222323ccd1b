import Hummingbird
import SignPeerCore
import SignPeerPostgres
import SignPeerServer
import Testing

/// The one mapping from thrown errors to what clients see and what the log says.
struct ErrorMappingTests {
    @Test(arguments: [
        (PostgresError.connectionFailed(message: "refused"), "service_unavailable", 503),
        (PostgresError.connectionLost, "service_unavailable", 503),
        (PostgresError.poolTimeout, "service_unavailable", 503),
        (PostgresError.closed, "service_unavailable", 503),
        (PostgresError.queryFailed(sqlState: "23505", message: "duplicate key"), "database_error", 500),
        (PostgresError.decoding(column: "x", expected: "Int"), "database_error", 500),
        (PostgresError.columnNotFound(column: "x"), "database_error", 500),
    ])
    func postgresFailuresAreUnavailableOrADatabaseError(error: PostgresError, code: String, status: Int) {
        let mapped = ErrorMapping.map(error)
        #expect(mapped.code.rawValue == code)
        #expect(mapped.httpStatus.code == status)
        #expect(ErrorMapping.cause(of: error) == error.description)
    }

    @Test(arguments: [
        (HTTPResponse.Status.notFound, "not_found", 404), (.contentTooLarge, "request_too_large", 413),
        (.methodNotAllowed, "method_not_allowed", 405), (.badRequest, "invalid_request", 400),
        (.unsupportedMediaType, "invalid_request", 400), (.unauthorized, "client_certificate_required", 401),
        (.internalServerError, "internal_error", 500),
    ])
    func hummingbirdErrorsGetTheirSPECCodes(status: HTTPResponse.Status, code: String, expected: Int) {
        let mapped = ErrorMapping.map(HTTPError(status))
        #expect(mapped.code.rawValue == code)
        #expect(mapped.httpStatus.code == expected)
    }

    @Test func aSignPeerErrorIsAnsweredAsItIsAndLoggedWithItsOrigin() {
        let error = SignPeerError.cryptoTokenOffline("offline")
        #expect(ErrorMapping.map(error) == error)
        #expect(error.httpStatus == .conflict)
        #expect(ErrorMapping.cause(of: error).hasPrefix("crypto_token_offline: offline (ServerTests/ErrorMappingTests.swift:"))
    }

    @Test func otherErrorsAreInternalAndLoggedByTypeOnly() {
        struct Leaky: Error, CustomStringConvertible { var description: String { "client input" } }
        #expect(ErrorMapping.map(Leaky()).code == .internalError)
        #expect(!ErrorMapping.cause(of: Leaky()).contains("client input"))
    }

    @Test(arguments: [
        ("invalid_request", 400), ("request_too_large", 413), ("not_found", 404), ("method_not_allowed", 405),
        ("client_certificate_required", 401), ("internal_credential_required", 401), ("forbidden", 403),
        ("peers_incoming_disabled", 403), ("peer_not_authorized", 403), ("authentication_failed", 403),
        ("invalid_dn", 400), ("invalid_serial_number", 400), ("invalid_certificate", 400), ("invalid_property", 400),
        ("key_binding_not_found", 404), ("worker_not_found", 404), ("crypto_token_offline", 409), ("key_not_found", 409),
        ("not_end_entity", 400), ("certificate_key_mismatch", 400), ("chain_invalid", 400),
        ("certificate_not_valid_now", 400), ("service_unavailable", 503), ("database_error", 500),
        ("internal_error", 500), ("some_future_code", 500),
    ])
    func everyCodeHasOneStatus(code: String, status: Int) {
        #expect(SignPeerError.Code(rawValue: code).httpStatus.code == status)
    }

    @Test func aServiceUnavailableAnswerCarriesRetryAfter() {
        let response = JSONResponse.error(.serviceUnavailable("down"))
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers[.retryAfter] == "5")
        #expect(JSONResponse.error(.databaseError("x")).headers[.retryAfter] == nil)
    }
}
