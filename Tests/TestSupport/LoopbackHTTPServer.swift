import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny blocking HTTP/1.1 server on 127.0.0.1 for testing HTTP clients without a framework.
///
/// It runs on its own threads (one accepting, one per connection), never on the cooperative
/// pool, keeps connections alive as HTTP/1.1 does, and counts accepted TCP connections so tests
/// can prove connection reuse. Routes:
/// - `/status/{n}`: answers status `n` with body `status n`.
/// - `/delay/{ms}`: answers 200 after `ms` milliseconds.
/// - `/big/{bytes}`: answers `bytes` bytes; add `?chunked` to send them without Content-Length.
/// - anything else echoes: status 200, the request body as body, `X-Echo-Method`,
///   `X-Echo-Target`, and every request header `Name` as `X-Echo-Name`.
public final class LoopbackHTTPServer: Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    private struct State {
        var acceptedConnections = 0
        var openConnections: Set<Int32> = []
        var isStopped = false
    }

    public let port: Int
    private let listener: Int32
    private let state = Mutex(State())

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// TCP connections accepted so far.
    public var acceptedConnections: Int { state.withLock { $0.acceptedConnections } }

    public init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw StartError(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(listener, address, length) == 0 && listen(listener, 128) == 0
                    && getsockname(listener, address, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw StartError(description: "bind/listen on 127.0.0.1: errno \(errno)")
        }
        self.listener = listener
        self.port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptConnections() }.start()
    }

    /// Stops accepting and closes every connection; requests being delayed end early.
    public func stop() {
        state.withLock { state in
            guard !state.isStopped else { return }
            state.isStopped = true
            // shutdown, unlike close, wakes threads blocked in accept or recv on these sockets.
            shutdown(listener, Int32(SHUT_RDWR))
            for connection in state.openConnections { shutdown(connection, Int32(SHUT_RDWR)) }
        }
    }

    private var isStopped: Bool { state.withLock { $0.isStopped } }

    private func acceptConnections() {
        while true {
            let connection = accept(listener, nil, nil)
            let accepted = state.withLock { state in
                guard !state.isStopped else {
                    if connection >= 0 { close(connection) }
                    close(listener)
                    return false
                }
                if connection >= 0 {
                    state.acceptedConnections += 1
                    state.openConnections.insert(connection)
                }
                return true
            }
            guard accepted else { return }
            guard connection >= 0 else {
                usleep(1000)  // EINTR, EMFILE...: try again
                continue
            }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer {
            state.withLock { state in
                state.openConnections.remove(connection)
                close(connection)
            }
        }
        var buffer: [UInt8] = []
        while let request = readRequest(connection, &buffer) {
            let response = respond(to: request)
            let keepAlive = request.keepsConnectionAlive
            guard
                transmit(
                    response.serialized(keepAlive: keepAlive, omitBody: request.method == "HEAD"),
                    to: connection),
                keepAlive
            else { return }
        }
    }

    // MARK: Routes

    private func respond(to request: Request) -> Response {
        let path = request.target.prefix { $0 != "?" }
        let segments = path.split(separator: "/")
        let argument = segments.count == 2 ? Int(segments[1]) : nil
        switch (segments.first, argument) {
        case ("status", let status?):
            return Response(status: status, body: Array("status \(status)".utf8))
        case ("delay", let milliseconds?):
            let deadline = ContinuousClock.now + .milliseconds(milliseconds)
            while ContinuousClock.now < deadline, !isStopped { usleep(5000) }
            return Response(status: 200, body: Array("delayed \(milliseconds)".utf8))
        case ("big", let count?):
            return Response(
                status: 200, body: (0..<count).map { UInt8($0 % 251) },
                chunked: request.target.hasSuffix("?chunked"))
        default:
            var headers = [("X-Echo-Method", request.method), ("X-Echo-Target", request.target)]
            headers += request.headers.map { ("X-Echo-\($0.name)", $0.value) }
            return Response(status: 200, headers: headers, body: request.body)
        }
    }

    // MARK: HTTP/1.1 framing

    private struct Request {
        var method: String
        var target: String
        var version: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var keepsConnectionAlive: Bool {
            let connection = header("Connection")?.lowercased()
            return version == "HTTP/1.1" ? connection != "close" : connection == "keep-alive"
        }
    }

    private struct Response {
        var status: Int
        var headers: [(String, String)] = []
        var body: [UInt8]
        var chunked = false

        func serialized(keepAlive: Bool, omitBody: Bool) -> [UInt8] {
            var head = "HTTP/1.1 \(status) \(status < 400 ? "OK" : "Error")\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: \(body.count)\r\n"
            head += "Connection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
            guard !omitBody else { return Array(head.utf8) }
            guard chunked else { return Array(head.utf8) + body }
            let chunk =
                body.isEmpty
                ? [] : Array(String(body.count, radix: 16).utf8) + [13, 10] + body + [13, 10]
            return Array(head.utf8) + chunk + Array("0\r\n\r\n".utf8)
        }
    }

    /// Reads one request; `nil` at end of stream or on a malformed one.
    private func readRequest(_ connection: Int32, _ buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            headEnd = buffer.firstRange(of: separator)?.lowerBound
            if headEnd != nil { break }
            guard receive(from: connection, into: &buffer) else { return nil }
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: buffer[..<headEnd], as: UTF8.self).components(
            separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ").map(String.init)
        guard requestLine.count == 3 else { return nil }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                String(line[..<colon]),
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
        var request = Request(
            method: requestLine[0], target: requestLine[1], version: requestLine[2],
            headers: headers, body: [])
        let bodyLength = request.header("Content-Length").flatMap { Int($0) } ?? 0
        let bodyStart = headEnd + separator.count
        while buffer.count < bodyStart + bodyLength {
            guard receive(from: connection, into: &buffer) else { return nil }
        }
        request.body = Array(buffer[bodyStart..<bodyStart + bodyLength])
        buffer.removeFirst(bodyStart + bodyLength)
        return request
    }

    private func receive(from connection: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes {
                recv(connection, $0.baseAddress, $0.count, 0)
            }
            if count > 0 {
                buffer += chunk[..<count]
                return true
            }
            if count < 0, errno == EINTR { continue }
            return false
        }
    }

    private func transmit(_ bytes: [UInt8], to connection: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
