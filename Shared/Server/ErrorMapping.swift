import Foundation
import Hummingbird
import SignPeerCore
import SignPeerHTTPClient
import SignPeerPostgres

/// Every thrown error as the SignPeer error a client sees, and as the cause an operator reads in
/// the log — in one place.
///
/// ``SignPeerError`` is answered as it is; PostgreSQL trouble is `service_unavailable` (503 with
/// `Retry-After`) when the database cannot be reached or no connection became free, and
/// `database_error` (500) otherwise; Hummingbird's own errors (no route, body too large,
/// undecodable JSON) get their SPEC codes; anything else is a 500 `internal_error`.
public enum ErrorMapping {
    public static func map(_ error: any Error) -> SignPeerError {
        switch error {
        case let error as SignPeerError:
            return error
        case let error as PostgresError:
            switch error {
            case .connectionFailed, .connectionLost, .poolTimeout, .closed:
                return SignPeerError.serviceUnavailable("The database is unavailable.")
            case .queryFailed, .decoding, .columnNotFound:
                return SignPeerError.databaseError("A database error occurred.")
            }
        case let error as any HTTPResponseError:
            switch error.status {
            case .notFound: return SignPeerError.notFound("No such resource.")
            case .contentTooLarge: return SignPeerError.requestTooLarge("The request body is larger than allowed.")
            case .methodNotAllowed: return SignPeerError.methodNotAllowed("Method not allowed on this resource.")
            case .unauthorized: return SignPeerError.clientCertificateRequired("Authentication required.")
            case let status where status.code < 500: return SignPeerError.invalidRequest("The request could not be understood.")
            default: return SignPeerError.internalError("Internal error.")
            }
        case is DecodingError:
            return SignPeerError.invalidRequest("The request body is not valid JSON for this call.")
        default:
            return SignPeerError.internalError("Internal error.")
        }
    }

    /// What the log says about a failure: the error's safe description (SignPeer and PostgreSQL
    /// errors never hold query parameters, PINs or keys; libcurl errors name only the URL of an
    /// internal service) and, for SignPeer errors, where they were made. Other errors are named by
    /// their type only, since their text could quote client input.
    /// Always one line (libpq's messages have several).
    public static func cause(of error: any Error) -> String {
        let text =
            switch error {
            case let error as SignPeerError: "\(error.description) (\(error.file):\(error.line))"
            case let error as PostgresError: error.description
            case let error as HTTPClientError: String(describing: error)
            default: String(reflecting: type(of: error))
            }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
    }
}
