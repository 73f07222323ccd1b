import Hummingbird
import SignPeerCore

/// The request media types the peer API accepts (SPEC §8): renewal bodies are JSON; certificate
/// installs are `application/pem-certificate-chain` or `application/pkix-cert`. Anything else is
/// 415 `unsupported_media_type`, before the body is read or forwarded.
enum PeerContentTypes {
    static let renewal = ["application/json"]
    static let install = ["application/pem-certificate-chain", "application/pkix-cert"]

    /// Checks the request's `Content-Type` (parameters such as `charset` are ignored). A renewal
    /// may have no body at all and then needs no type.
    static func require(_ allowed: [String], of request: Request, bodyOptional: Bool = false) throws {
        guard let header = request.headers[.contentType] else {
            if bodyOptional, request.headers[.contentLength] == nil || request.headers[.contentLength] == "0",
                request.headers[.transferEncoding] == nil
            {
                return
            }
            throw unsupported(allowed)
        }
        let mediaType = header.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let mediaType, allowed.contains(mediaType) else { throw unsupported(allowed) }
    }

    private static func unsupported(_ allowed: [String]) -> SignPeerError {
        SignPeerError.unsupportedMediaType("The request body must be \(allowed.joined(separator: " or ")).")
    }
}
