import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// The last handler before Hummingbird's async channel: answers on the event loop what an
/// ``EventLoopResponder`` answers from memory, with what a routed answer carries (the request id,
/// `Date` and `Server` headers, the access log line and the request metrics), and hands every
/// other request to the router unchanged.
///
/// HTTP/1.1 answers go out in the order of their requests (RFC 9112 §9.3.2), so nothing is
/// answered here while a request handed to the router is still being answered; such requests go
/// to the router too. A `GET` without a body is held from its head to its end, then answered or
/// handed on whole.
final class EventLoopAnswerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What every connection of a listener shares.
    struct Configuration: Sendable {
        var responder: any EventLoopResponder
        /// The `Server` header, as Hummingbird sends it.
        var serverName: String?
        var metrics = RequestMetrics()
    }

    private let configuration: Configuration
    private let logger: Logger
    /// Requests handed to the router whose answer is not written completely yet.
    private var routed = 0
    /// The request held between its head and its end.
    private var held: (head: HTTPRequest, start: ContinuousClock.Instant)?

    init(_ configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if routed == 0, held == nil, Self.mayAnswer(head) {
                held = (head, .now)
                return
            }
            routed += 1
        case .body:
            break  // a held request has no body
        case .end:
            if let (head, start) = held {
                held = nil
                if let answer = configuration.responder.answer(head, on: context.channel) {
                    write(answer, for: head, started: start, context: context)
                    return
                }
                routed += 1
                context.fireChannelRead(wrapInboundOut(.head(head)))
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), routed > 0 { routed -= 1 }
        context.write(data, promise: promise)
    }

    /// A `GET` that announces no body.
    static func mayAnswer(_ head: HTTPRequest) -> Bool {
        head.method == .get && head.headerFields[.transferEncoding] == nil
            && (head.headerFields[.contentLength] ?? "0") == "0"
    }

    private func write(_ answer: EventLoopAnswer, for request: HTTPRequest, started: ContinuousClock.Instant,
        context: ChannelHandlerContext)
    {
        let id = RequestIDs.id(for: request.headerFields[.xRequestID])
        var head = HTTPResponse(status: answer.status, headerFields: answer.headerFields)
        head.headerFields[.contentLength] = String(answer.body.readableBytes)
        head.headerFields[.xRequestID] = id
        head.headerFields[.date] = HTTPDate.now
        if let serverName = configuration.serverName { head.headerFields[.server] = serverName }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)

        let elapsed = ContinuousClock.now - started
        configuration.metrics.record(route: answer.route, method: request.method, status: answer.status, elapsed: elapsed)
        let path = String((request.path ?? "").prefix { $0 != "?" })
        AccessLog.record(
            logger, method: request.method, path: path, status: answer.status, elapsed: elapsed,
            metadata: ["request_id": .string(id)])
    }
}
