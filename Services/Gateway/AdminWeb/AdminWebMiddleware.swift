import HTTPTypes
import Hummingbird
import SignPeerCore
import SignPeerServer

/// Wraps every Admin Web route: an error becomes an HTML page (not the JSON body of the APIs),
/// and every answer, error pages included, carries the security headers — those that
/// Hummingbird's `ContentSecurityMiddleware` does not set (it adds `Content-Security-Policy` and
/// `X-Content-Type-Options`, see ``contentSecurity``).
struct AdminWebMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let pages: AdminWebPages

    /// No scripts, no external assets, no framing, forms only to the Admin Web itself.
    static var contentSecurity: ContentSecurityMiddleware<Context> {
        ContentSecurityMiddleware(contentSecurityPolicy: [
            .defaultSrc(.none), .styleSrc(.self), .imgSrc(.self), .formAction(.self), .frameAncestors(.none),
            .baseURI(.none),
        ])
    }

    static let securityHeaders: HTTPFields = [
        .xFrameOptions: "DENY",
        .referrerPolicy: "no-referrer",
        .cacheControl: "no-store",
    ]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = errorPage(error, context: context)
        }
        for field in Self.securityHeaders { response.headers[field.name] = field.value }
        return response
    }

    private func errorPage(_ error: any Error, context: Context) -> Response {
        let subject = context.principal?.subjectDN
        if let error = error as? any HTTPResponseError, error.status.code < 500 {
            let message =
                error.status == .contentTooLarge ? "The form is larger than allowed." : error.status.reasonPhrase
            return pages.error(title: "Request refused", message: message, subject: subject, status: error.status)
        }
        let mapped = ErrorMapping.map(error)
        let status = mapped.httpStatus
        if status.code >= 500 {
            context.logger.error(
                "admin web request failed",
                metadata: ["code": .string(mapped.code.rawValue), "cause": .string(ErrorMapping.cause(of: error))])
        }
        let title =
            switch status.code {
            case 401: "Client certificate required"
            case 403: "Access denied"
            case 404: "Not found"
            case 503: "Service unavailable"
            case 400..<500: "Request refused"
            default: "Error"
            }
        var response = pages.error(title: title, message: mapped.message, subject: subject, status: status)
        if mapped.code == .serviceUnavailable { response.headers[.retryAfter] = "5" }
        return response
    }
}

extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
