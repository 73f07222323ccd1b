import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Synchronization
import Testing

@testable import SignPeerServer

/// The handler answers from memory only what its responder answers, in request order, with what a
/// routed answer carries; everything else reaches the router whole.
struct EventLoopAnswerHandlerTests {
    /// Answers `GET /hello`, declines the rest.
    struct HelloResponder: EventLoopResponder {
        func answer(_ request: HTTPRequest, on channel: any Channel) -> EventLoopAnswer? {
            guard request.path == "/hello" || request.path == "/hello?x=1" else { return nil }
            return EventLoopAnswer(headerFields: [.contentType: "text/plain"], body: ByteBuffer(string: "hi"), route: "/hello")
        }
    }

    /// Keeps every log event.
    final class LogEvents: Sendable {
        let events = Mutex<[(message: String, metadata: Logger.Metadata)]>([])

        struct Handler: LogHandler {
            let sink: LogEvents
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                sink.events.withLock { $0.append(("\(event.message)", metadata.merging(event.metadata ?? [:]) { $1 })) }
            }
        }
    }

    let logs = LogEvents()

    func channel() throws -> EmbeddedChannel {
        let logger = Logger(label: "test") { [logs] _ in LogEvents.Handler(sink: logs) }
        let handler = EventLoopAnswerHandler(.init(responder: HelloResponder(), serverName: "test-server"), logger: logger)
        return EmbeddedChannel(handler: handler)
    }

    static func get(_ path: String, _ fields: HTTPFields = [:], method: HTTPRequest.Method = .get) -> HTTPRequestPart {
        .head(HTTPRequest(method: method, scheme: "https", authority: "x", path: path, headerFields: fields))
    }

    /// The request parts the router received.
    static func routed(_ channel: EmbeddedChannel) throws -> [String] {
        var parts: [String] = []
        while let part = try channel.readInbound(as: HTTPRequestPart.self) {
            switch part {
            case .head(let head): parts.append("\(head.method) \(head.path ?? "")")
            case .body: parts.append("body")
            case .end: parts.append("end")
            }
        }
        return parts
    }

    /// The answers written to the connection, as `status body` with their head.
    static func answers(_ channel: EmbeddedChannel) throws -> [(head: HTTPResponse, body: String)] {
        var answers: [(head: HTTPResponse, body: String)] = []
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
            switch part {
            case .head(let head): answers.append((head, ""))
            case .body(let body): answers[answers.count - 1].body += String(buffer: body)
            case .end: break
            }
        }
        return answers
    }

    @Test func anAnswerableRequestIsAnsweredWithWhatEveryAnswerCarries() throws {
        let channel = try channel()
        try channel.writeInbound(Self.get("/hello?x=1"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.routed(channel).isEmpty)
        let answers = try Self.answers(channel)
        try #require(answers.count == 1)
        let head = answers[0].head
        #expect(head.status == .ok && answers[0].body == "hi")
        #expect(head.headerFields[.contentType] == "text/plain")
        #expect(head.headerFields[.contentLength] == "2")
        #expect(head.headerFields[.server] == "test-server")
        #expect(head.headerFields[.date]?.hasSuffix(" GMT") == true)
        let id = try #require(head.headerFields[.xRequestID])
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
        let line = try #require(logs.events.withLock { $0.last })
        #expect(line.message == "request")
        #expect(line.metadata["path"] == "/hello" && line.metadata["method"] == "GET" && line.metadata["status"]?.description == "200")
        #expect(line.metadata["request_id"] == .string(id))
        #expect(line.metadata["duration_ms"] != nil)
    }

    @Test func aSafeIncomingRequestIDIsEchoedAndAnUnsafeOneReplaced() throws {
        let channel = try channel()
        try channel.writeInbound(Self.get("/hello", [.xRequestID: "ca-42"]))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeInbound(Self.get("/hello", [.xRequestID: "a b"]))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        let ids = try Self.answers(channel).map { $0.head.headerFields[.xRequestID] }
        #expect(ids.count == 2 && ids[0] == "ca-42" && ids[1] != "a b" && ids[1]?.count == 32)
    }

    @Test func aDeclinedRequestReachesTheRouterWhole() throws {
        let channel = try channel()
        try channel.writeInbound(Self.get("/other"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.routed(channel) == ["GET /other", "end"])
        #expect(try Self.answers(channel).isEmpty)
    }

    @Test(arguments: ["GET with Content-Length", "GET chunked", "HEAD", "POST"])
    func aRequestThatIsNotABodilessGetReachesTheRouter(kind: String) throws {
        let method: HTTPRequest.Method = kind.hasPrefix("GET") ? .get : kind == "HEAD" ? .head : .post
        let fields: HTTPFields =
            switch kind {
            case "GET with Content-Length": [.contentLength: "2"]
            case "GET chunked": [.transferEncoding: "chunked"]
            default: [:]
            }
        let channel = try channel()
        try channel.writeInbound(Self.get("/hello", fields, method: method))
        if !fields.isEmpty { try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "hi"))) }
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.routed(channel).first == "\(method) /hello")
        #expect(try Self.answers(channel).isEmpty)
    }

    @Test func nothingIsAnsweredWhileTheRouterStillAnswersAnEarlierRequest() throws {
        let channel = try channel()
        try channel.writeInbound(Self.get("/slow", method: .post))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        // A pipelined request behind it: answering it first would put the answers out of order.
        try channel.writeInbound(Self.get("/hello"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.routed(channel) == ["POST /slow", "end", "GET /hello", "end"])
        #expect(try Self.answers(channel).isEmpty)

        // The router answers both; then the next one is answered here again.
        for _ in 0..<2 {
            try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .accepted)))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
        }
        #expect(try Self.answers(channel).map(\.head.status) == [.accepted, .accepted])
        try channel.writeInbound(Self.get("/hello"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.routed(channel).isEmpty)
        #expect(try Self.answers(channel).map(\.body) == ["hi"])
    }

    @Test func theDateHeaderIsAnIMFFixdate() {
        #expect(HTTPDate.format(secondsSince1970: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(secondsSince1970: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.now.count == 29)
    }
}
