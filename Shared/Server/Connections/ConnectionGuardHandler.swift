import Logging
import NIOCore
import NIOTLS

/// The first handler after TLS on every accepted connection: bounds each phase of the
/// connection's life and, when a connection is being closed with request bytes unread, reads and
/// discards them for a moment ("lingering close") so the client sees the answer rather than a
/// reset, then closes the connection completely.
///
/// It sees raw bytes (so it can tell a keep-alive connection that is idle from one whose next
/// request head is arriving slowly); ``HTTP1ConnectionPolicyHandler`` tells it where the HTTP
/// exchange is (head received, body complete, response written).
///
/// Each phase sets a deadline; one scheduled timer serves them. A deadline later than the
/// timer's leaves the timer alone (when it fires early, it is scheduled again for what is left),
/// so a kept-alive connection's requests schedule no timer of their own: scheduling and
/// cancelling two per request cost 6 % of a kept-alive `/whoami` answered on the event loop.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Where the connection is; each phase but `.responding` has a deadline.
    enum Phase: Equatable {
        case handshake
        /// Waiting for the first byte of a request; `first` is the connection's first request,
        /// whose head timer runs from the connection's start.
        case awaitingRequest(first: Bool)
        case readingHead
        case readingBody
        /// The request is complete and the application is answering: no deadline.
        case responding
        case lingering
        case closed

        var name: String {
            switch self {
            case .handshake: "TLS handshake"
            case .awaitingRequest(let first): first ? "request head" : "keep-alive idle"
            case .readingHead: "request head"
            case .readingBody: "request body"
            case .responding: "responding"
            case .lingering: "lingering close"
            case .closed: "closed"
            }
        }
    }

    private let settings: ConnectionSettings
    private let logger: Logger
    private(set) var phase: Phase
    private var context: ChannelHandlerContext?
    /// When the current phase ends the connection; nil in a phase without a deadline.
    private var deadline: NIODeadline?
    private var timer: (scheduled: Scheduled<Void>, fires: NIODeadline)?
    /// Counts scheduled timers, so a timer that fires after it was replaced does nothing.
    private var generation = 0

    init(settings: ConnectionSettings, expectsTLSHandshake: Bool, logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.phase = expectsTLSHandshake ? .handshake : .awaitingRequest(first: true)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .closed
        stopTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard unwrapInboundIn(data).readableBytes > 0 else { return }
        switch phase {
        case .lingering:
            context.read()  // discarded: the answer is written and the connection is closing
            return
        case .closed:
            return
        case .awaitingRequest(let first):
            phase = .readingHead
            context.fireChannelRead(data)
            // A head that came whole was decoded meanwhile; the first head's deadline runs since start.
            if phase == .readingHead, !first { arm(settings.requestHeadTimeout) }
            return
        default:
            break
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent, phase == .handshake {
            phase = .awaitingRequest(first: true)
            arm(settings.requestHeadTimeout)
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Told by the HTTP policy handler

    /// A request head was decoded; `hasBody` when a body follows.
    func requestHeadReceived(hasBody: Bool) {
        guard phase != .lingering, phase != .closed else { return }
        if hasBody {
            phase = .readingBody
            arm(settings.requestBodyTimeout)
        } else {
            phase = .responding
            deadline = nil
        }
    }

    func requestBodyComplete() {
        guard phase == .readingBody else { return }
        phase = .responding
        deadline = nil
    }

    /// A response was written completely and the connection stays open.
    func responseComplete(nextRequestPending: Bool) {
        guard phase == .responding, !nextRequestPending else { return }
        phase = .awaitingRequest(first: false)
        arm(settings.keepAliveTimeout)
    }

    /// The answer is written; discard what the client still sends until it closes or the linger
    /// time is up, then close.
    func closeLingering() {
        guard phase != .closed else { return }
        phase = .lingering
        context?.read()  // keep reading even if the application stopped asking for data
        arm(settings.lingerTimeout)
    }

    // MARK: Timer

    private func start() {
        switch phase {
        case .handshake: arm(settings.handshakeTimeout)
        case .awaitingRequest: arm(settings.requestHeadTimeout)
        default: break
        }
    }

    private func arm(_ timeout: TimeAmount) {
        guard let context else { return }
        let deadline = NIODeadline.now() + timeout
        self.deadline = deadline
        if let timer, timer.fires <= deadline { return }  // it fires first and is scheduled again
        schedule(at: deadline, context)
    }

    private func schedule(at deadline: NIODeadline, _ context: ChannelHandlerContext) {
        timer?.scheduled.cancel()
        generation += 1
        let scheduled = generation
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            guard self.generation == scheduled, let context = self.context else { return }
            self.timer = nil
            guard let deadline = self.deadline else { return }
            if deadline > .now() { return self.schedule(at: deadline, context) }
            self.expire(context)
        }
        timer = (task, deadline)
    }

    private func expire(_ context: ChannelHandlerContext) {
        let expired = phase
        if expired != .lingering {
            logger.info(
                "connection closed: \(expired.name) timeout",
                metadata: [
                    "phase": .string(expired.name),
                    "remote_address": .string(context.channel.remoteAddress?.ipAddress ?? "unknown"),
                ])
        }
        phase = .closed
        deadline = nil
        context.close(promise: nil)
    }

    private func stopTimer() {
        generation += 1
        deadline = nil
        timer?.scheduled.cancel()
        timer = nil
    }
}
