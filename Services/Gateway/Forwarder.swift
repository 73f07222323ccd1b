import Hummingbird
import SignPeerCore
import SignPeerServer
import SignPeerStore

/// Passes a request on to the internal service that owns it, with the internal credential, the
/// request id and the principal, and hands a successful answer back unchanged (status, JSON body);
/// an error answer is rethrown as its ``SignPeerError``.
/// Bodies are read up to the context's 1 MiB limit (413 `request_too_large` beyond).
struct Forwarder: Sendable {
    let service: InternalServiceClient

    func forward(
        _ request: Request, context: GatewayRequestContext, to path: String
    ) async throws -> Response {
        Self.response(try await answer(request, context: context, to: path))
    }

    /// A successful answer of the internal service, as it is passed on.
    struct Answer: Sendable {
        var status: Int
        var contentType: String
        var body: ByteBuffer
    }

    /// Sends the request on and answers the service's successful answer; an error answer is
    /// rethrown as the error it carries.
    func answer(_ request: Request, context: GatewayRequestContext, to path: String) async throws -> Answer {
        var body: [UInt8]?
        if request.method == .post || request.method == .put {
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            body = Array(buffer.readableBytesView)
        }
        let response = try await service.send(
            request.method, path, body: body,
            contentType: body == nil ? nil : request.headers[.contentType] ?? "application/json",
            requestID: context.requestID, principal: try context.requirePrincipal())
        // An error answer is rethrown as the error it carries, so the gateway's middleware counts
        // and logs it like its own and answers it with the same status and `Retry-After`.
        try InternalServiceClient.throwIfError(response, service: service.name)
        return Answer(
            status: response.status, contentType: response.header("Content-Type") ?? "application/json",
            body: ByteBuffer(bytes: response.body))
    }

    static func response(_ answer: Answer) -> Response {
        Response(
            status: .init(code: answer.status),
            headers: [.contentType: answer.contentType, .cacheControl: "no-store"],
            body: .init(byteBuffer: answer.body))
    }
}
