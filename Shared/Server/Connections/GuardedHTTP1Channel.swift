import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 child channel with SignPeer's connection hygiene: the same pipeline as
/// `HTTP1Channel`, plus ``ConnectionGuardHandler`` in front of the HTTP decoder (timeouts,
/// lingering close) and ``HTTP1ConnectionPolicyHandler`` behind it (keep-alive and close
/// decisions, JSON answers to parse errors), with the header limits of ``ConnectionSettings``,
/// and, when given a responder, ``EventLoopAnswerHandler`` last.
public struct GuardedHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    public typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    public let responder: HTTPChannelHandler.Responder
    let settings: ConnectionSettings
    /// True when TLS wraps this channel (the handshake has its own timeout).
    let expectsTLSHandshake: Bool
    /// Whether each connection's requests are handled on its event loop (``EventLoopTaskExecutor``).
    let runsOnEventLoop: Bool
    /// The answers made on the event loop, shared by every connection.
    let eventLoopAnswers: EventLoopAnswerHandler.Configuration?

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            let connectionGuard = ConnectionGuardHandler(
                settings: settings, expectsTLSHandshake: expectsTLSHandshake, logger: logger)
            try pipeline.addHandler(connectionGuard)
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldCount = settings.maxHeaderCount
            limits.maxHeaderFieldSize = settings.maxHeaderFieldBytes
            limits.maxHeaderListSize = settings.maxHeaderBytes
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
            try pipeline.addHandler(
                HTTP1ConnectionPolicyHandler(
                    connectionGuard: connectionGuard, maxBodyBytes: settings.maxBodyBytes, logger: logger))
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: expectsTLSHandshake))
            // Graceful shutdown: closes idle connections, and busy ones after their response.
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            if let eventLoopAnswers { try pipeline.addHandler(EventLoopAnswerHandler(eventLoopAnswers, logger: logger)) }
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    public func handle(value asyncChannel: Value, logger: Logger) async {
        guard runsOnEventLoop else { return await handleHTTP(asyncChannel: asyncChannel, logger: logger) }
        await withTaskExecutorPreference(EventLoopTaskExecutor(asyncChannel.channel.eventLoop)) {
            await handleHTTP(asyncChannel: asyncChannel, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with SignPeer's connection hygiene; wrap it in `.tls(...)` for the TLS port and pass
    /// `tls: true` so the handshake is timed.
    /// `onEventLoop`: each connection's requests run on its event loop (``EventLoopTaskExecutor``),
    /// for a server whose handlers never block.
    /// `answering`: requests answered from memory before the router (``EventLoopResponder``), with
    /// `serverName` as their `Server` header (the application's `serverName`).
    public static func guardedHTTP1(
        _ settings: ConnectionSettings, tls: Bool = false, onEventLoop: Bool = false,
        answering responder: (any EventLoopResponder)? = nil, serverName: String? = nil
    ) -> HTTPServerBuilder {
        let eventLoopAnswers = responder.map { EventLoopAnswerHandler.Configuration(responder: $0, serverName: serverName) }
        return .init { responder in
            GuardedHTTP1Channel(
                responder: responder, settings: settings, expectsTLSHandshake: tls, runsOnEventLoop: onEventLoop,
                eventLoopAnswers: eventLoopAnswers)
        }
    }
}

extension ConnectionSettings {
    /// The listener configuration: address, server name and the connection cap.
    public func applicationConfiguration(host: String, port: Int, serverName: String, logger: Logger)
        -> ApplicationConfiguration
    {
        ApplicationConfiguration(
            address: .hostname(host, port: port), serverName: serverName,
            availableConnectionsDelegate: ConnectionLimit(
                maximum: maxConnections, listener: "\(serverName) \(host):\(port)", logger: logger))
    }
}
