import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SignPeerCore

/// Sits between NIO's HTTP/1 decoder and Hummingbird, where the HTTP version and the raw parse
/// errors are still visible, and decides for every exchange whether the connection stays open.
///
/// - A request the parser rejects (oversized head, bad chunk size, garbage request line) is
///   answered here with the JSON error body — 431 `request_header_too_large` for heads over the
///   limits, 400 `invalid_request` otherwise — and the connection is closed. A parse error in the
///   middle of a body reaches the application as a 400 error instead of a truncated body.
/// - A `Content-Length` over the body limit is answered 413 before a byte of the body is read.
/// - An answer written while request bytes are still unread, an answer to a request that asked for
///   `Connection: close` or an HTTP/1.0 request without keep-alive closes the connection
///   *completely* (after a short lingering read), never only its sending half. An HTTP/1.0
///   keep-alive request that stays open is confirmed with `Connection: keep-alive`.
/// - A client that disconnects mid-body makes the body read fail (not end early), so no route
///   ever acts on a truncated body.
/// - An error status the framework answers with an empty body gets the JSON error body.
final class HTTP1ConnectionPolicyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A request passed on to the application whose response is not complete yet.
    private struct Exchange {
        var keepAlive: Bool
        var version: HTTPVersion
        var isHeadRequest: Bool
    }

    private let connectionGuard: ConnectionGuardHandler
    private let maxBodyBytes: Int
    private let logger: Logger
    private var exchanges: [Exchange] = []
    /// A request head was passed on and its end has not arrived yet.
    private var requestOpen = false
    /// Nothing more is passed to the application: this connection is being answered and closed.
    private var refusingInput = false
    private var closeAfterResponse = false
    /// Set while writing a response: close when its end is written.
    private var closingResponse = false
    /// The JSON body replacing an empty error body in the response being written.
    private var replacementBody: ByteBuffer?

    init(connectionGuard: ConnectionGuardHandler, maxBodyBytes: Int, logger: Logger) {
        self.connectionGuard = connectionGuard
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refusingInput else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBodyBytes {
                answer(
                    SignPeerError.requestTooLarge("The request body is larger than the \(maxBodyBytes) bytes allowed."),
                    context: context)
                return
            }
            exchanges.append(Exchange(keepAlive: head.isKeepAlive, version: head.version, isHeadRequest: head.method == .HEAD))
            requestOpen = true
            connectionGuard.requestHeadReceived(hasBody: Self.hasBody(head))
        case .body:
            break
        case .end:
            requestOpen = false
            connectionGuard.requestBodyComplete()
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !refusingInput else { return }  // e.g. the decoder's "data received in error state"
        guard let parseError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let refusal = Self.refusal(for: parseError)
        if parseError == .invalidEOFState {
            logger.info("client disconnected before the request body was complete")
        } else {
            logger.info(
                "malformed request refused",
                metadata: ["code": .string(refusal.code.rawValue), "parser_error": .string("\(parseError)")])
        }
        if requestOpen {
            // The application is reading this body: fail its read so it answers (and we close).
            refusingInput = true
            closeAfterResponse = true
            context.fireErrorCaught(refusal)
        } else if !exchanges.isEmpty {
            // A pipelined request after one still being answered: close after that answer.
            refusingInput = true
            closeAfterResponse = true
        } else {
            answer(refusal, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if requestOpen && !refusingInput {
            requestOpen = false
            logger.info("client disconnected before the request body was complete")
            context.fireErrorCaught(
                SignPeerError.invalidRequest("The connection closed before the request body was complete."))
        }
        context.fireChannelInactive()
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            let exchange = exchanges.first ?? Exchange(keepAlive: false, version: .http1_1, isHeadRequest: false)
            let hasLength = head.headers.contains(name: "content-length")
            closingResponse =
                closeAfterResponse || requestOpen || !exchange.keepAlive
                || (exchange.version.minor == 0 && !hasLength && !exchange.isHeadRequest)
            if head.status.code >= 400, !exchange.isHeadRequest, head.headers.first(name: "content-length") == "0",
                !head.headers.contains(name: "content-type")
            {
                let body = Self.errorBody(Self.refusal(forStatus: Int(head.status.code)), allocator: context.channel.allocator)
                head.headers.replaceOrAdd(name: "content-type", value: "application/json")
                head.headers.replaceOrAdd(name: "content-length", value: "\(body.readableBytes)")
                replacementBody = body
            }
            if closingResponse {
                head.headers.replaceOrAdd(name: "connection", value: "close")
            } else if exchange.version.minor == 0 {
                head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
            }
            if exchange.version == .http1_0 { head.version = .http1_0 }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            if replacementBody == nil { context.write(data, promise: promise) } else { promise?.succeed() }
        case .end:
            if let body = replacementBody {
                replacementBody = nil
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            }
            if !exchanges.isEmpty { exchanges.removeFirst() }
            if closingResponse {
                closingResponse = false
                finishAndClose(data, context: context, promise: promise)
            } else {
                context.write(data, promise: promise)
                connectionGuard.responseComplete(nextRequestPending: !exchanges.isEmpty || requestOpen)
            }
        }
    }

    // MARK: Answering and closing

    /// Answers `error` without involving the application, then closes.
    private func answer(_ error: SignPeerError, context: ChannelHandlerContext) {
        refusingInput = true
        let body = Self.errorBody(error, allocator: context.channel.allocator)
        var head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: error.httpStatus.code))
        head.headers.add(name: "content-type", value: "application/json")
        head.headers.add(name: "content-length", value: "\(body.readableBytes)")
        head.headers.add(name: "cache-control", value: "no-store")
        head.headers.add(name: "connection", value: "close")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        finishAndClose(wrapOutboundOut(.end(nil)), context: context, promise: nil)
    }

    /// Writes the response end, then closes completely: at once when the request was read to its
    /// end, after a lingering read when bytes of it are still coming.
    private func finishAndClose(_ end: NIOAny, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let linger = requestOpen || refusingInput
        refusingInput = true
        let written = promise ?? context.eventLoop.makePromise()
        context.writeAndFlush(end, promise: written)
        let connectionGuard = self.connectionGuard
        written.futureResult.assumeIsolated().whenComplete { _ in
            if linger {
                connectionGuard.closeLingering()
            } else {
                context.close(promise: nil)
            }
        }
    }

    // MARK: Mapping

    static func hasBody(_ head: HTTPRequestHead) -> Bool {
        if head.headers.contains(name: "transfer-encoding") { return true }
        if let length = head.headers.first(name: "content-length").flatMap(Int.init) { return length > 0 }
        return false
    }

    static func refusal(for error: HTTPParserError) -> SignPeerError {
        switch error {
        case .headerOverflow:
            SignPeerError.requestHeaderTooLarge("The request head has more or larger header fields than allowed.")
        case .invalidChunkSize, .invalidContentLength, .unexpectedContentLength:
            SignPeerError.invalidRequest("The request body's framing is malformed (\(error)).")
        default:
            SignPeerError.invalidRequest("The request is not valid HTTP/1.1 (\(error)).")
        }
    }

    static func refusal(forStatus status: Int) -> SignPeerError {
        switch status {
        case 431: refusal(for: .headerOverflow)
        case 400: SignPeerError.invalidRequest("The request could not be understood.")
        default:
            // The head keeps the status NIO chose; only the body is ours.
            SignPeerError.invalidRequest(HTTPResponseStatus(statusCode: status).reasonPhrase)
        }
    }

    static func errorBody(_ error: SignPeerError, allocator: ByteBufferAllocator) -> ByteBuffer {
        let data = (try? JSONResponse.encoder.encode(ErrorBody(error))) ?? Data("{}".utf8)
        return allocator.buffer(bytes: data)
    }
}
