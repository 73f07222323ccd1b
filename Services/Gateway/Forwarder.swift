import Hummingbird
import SignPeerCore
import SignPeerServiceSupport

/// Passes a request on to the internal service that owns it, with the internal credential, the
/// request id and the principal, and hands its answer back unchanged (status, JSON body).
/// Bodies are read up to the context's 1 MiB limit (413 `request_too_large` beyond).
struct Forwarder: Sendable {
    let service: InternalServiceClient

    func forward(
        _ request: Request, context: GatewayRequestContext, to path: String, method: String? = nil
    ) async throws -> Response {
        var body: [UInt8]?
        if method == nil, request.method == .post || request.method == .put {
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            body = Array(buffer.readableBytesView)
        }
        let response = try await service.send(
            method ?? request.method.rawValue, path, body: body,
            contentType: body == nil ? nil : request.headers[.contentType] ?? "application/json",
            requestID: context.requestID, principal: try context.requirePrincipal())
        if response.status >= 500, (try? JSONResponse.decodeError(response.body)) == nil {
            throw SignPeerError(.serviceUnavailable, "The \(service.name) service is unavailable.", status: 503)
        }
        var headers: HTTPFields = [
            .contentType: response.header("Content-Type") ?? "application/json", .cacheControl: "no-store",
        ]
        if let retryAfter = response.header("Retry-After") { headers[.retryAfter] = retryAfter }
        return Response(
            status: .init(code: response.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}
