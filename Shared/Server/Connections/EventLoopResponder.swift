import HTTPTypes
import NIOCore

/// Answers the few requests a server can answer from what it holds in memory, on the connection's
/// event loop, without entering Hummingbird's async request path (the hand-over to a task and
/// back costs a kept-alive `/whoami` more than its TLS does). Whatever it cannot answer that way
/// it declines, and the router answers as always, so it never has to know a refusal or an error.
public protocol EventLoopResponder: Sendable {
    /// The answer to `request`, a `GET` without a body, on `channel`; nil hands it to the router.
    /// Called on the channel's event loop: it must neither block nor wait.
    func answer(_ request: HTTPRequest, on channel: any Channel) -> EventLoopAnswer?
}

/// A complete answer made from memory. ``EventLoopAnswerHandler`` adds what every answer of the
/// server carries (`Content-Length`, `X-Request-ID`, `Date`, `Server`).
public struct EventLoopAnswer: Sendable {
    public var status: HTTPResponse.Status
    public var headerFields: HTTPFields
    public var body: ByteBuffer
    /// The route answered, as the router names it (`/whoami`), for the request metrics.
    public var route: String

    public init(status: HTTPResponse.Status = .ok, headerFields: HTTPFields, body: ByteBuffer, route: String) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
        self.route = route
    }
}
