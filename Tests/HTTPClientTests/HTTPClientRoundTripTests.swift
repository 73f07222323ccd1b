import HTTPTypes
import SignPeerHTTPClient
import SignPeerTestSupport
import Testing

@Suite struct HTTPClientRoundTripTests {
    /// Every byte value, so a body that is treated as text anywhere gets corrupted.
    static let binaryBody: [UInt8] =
        (0...255).map(UInt8.init) + (0...255).reversed().map(UInt8.init)

    @Test(arguments: ["POST", "PUT", "PATCH"])
    func sendsMethodHeadersAndBinaryBody(method: String) async throws {
        try await withClientAndServer { client, server in
            let response = try await client.execute(
                HTTPClientRequest(
                    method: HTTPRequest.Method(method)!, url: server.baseURL + "/echo?q=1",
                    headers: [
                        HTTPField.Name("X-Custom")!: "a value", HTTPField.Name("X-Empty")!: "",
                        .contentType: "application/octet-stream",
                    ],
                    body: Self.binaryBody))
            #expect(response.status == 200)
            #expect(response.body == Self.binaryBody)
            #expect(response.header("x-echo-method") == method)
            #expect(response.header("X-Echo-Target") == "/echo?q=1")
            #expect(response.header("X-Echo-X-Custom") == "a value")
            #expect(response.header("X-Echo-X-Empty") == "")
            #expect(response.header("X-Echo-Content-Type") == "application/octet-stream")
            #expect(response.header("X-Echo-Content-Length") == "\(Self.binaryBody.count)")
            // libcurl's own "Expect: 100-continue" would add a round trip.
            #expect(response.header("X-Echo-Expect") == nil)
        }
    }

    @Test(arguments: ["GET", "DELETE", "OPTIONS"])
    func sendsMethodWithoutBody(method: String) async throws {
        try await withClientAndServer { client, server in
            let response = try await client.execute(
                HTTPClientRequest(
                    method: HTTPRequest.Method(method)!, url: server.baseURL + "/resource/7",
                    headers: [.accept: "application/json"]))
            #expect(response.status == 200)
            #expect(response.body.isEmpty)
            #expect(response.header("X-Echo-Method") == method)
            #expect(response.header("X-Echo-Accept") == "application/json")
            #expect(response.header("X-Echo-Content-Length") == nil)
            #expect(response.header("X-Echo-Content-Type") == nil)
        }
    }

    @Test func postWithoutBodySendsEmptyContent() async throws {
        try await withClientAndServer { client, server in
            let response = try await client.execute(
                HTTPClientRequest(method: .post, url: server.baseURL + "/echo"))
            #expect(response.header("X-Echo-Method") == "POST")
            #expect(response.header("X-Echo-Content-Length") == "0")
        }
    }

    @Test func headReturnsHeadersOnly() async throws {
        try await withClientAndServer { client, server in
            let response = try await client.execute(
                HTTPClientRequest(method: .head, url: server.baseURL + "/big/100"))
            #expect(response.status == 200)
            #expect(response.header("Content-Length") == "100")
            #expect(response.body.isEmpty)
        }
    }

    @Test func errorStatusIsAResponse() async throws {
        try await withClientAndServer { client, server in
            let response = try await client.execute(
                HTTPClientRequest(url: server.baseURL + "/status/500"))
            #expect(response.status == 500)
            #expect(response.bodyString == "status 500")
            #expect(throws: HTTPClientError.unexpectedStatus(500, body: "status 500")) {
                try response.expect(200..<300)
            }
            #expect(try response.expect(500...500).status == 500)
        }
    }

    @Test func rejectsMalformedRequestsBeforeSending() async throws {
        try await withClientAndServer { client, server in
            #expect(
                await client.failure(of: HTTPClientRequest(url: "ftp://user:pw@host/file?token=1"))
                    == .invalidURL("ftp://host/file"))
            #expect(
                await client.failure(of: HTTPClientRequest(url: server.baseURL + "/a b"))
                    == .invalidURL(server.baseURL + "/a b"))
            #expect(server.acceptedConnections == 0)
            // swift-http-types makes the other malformed requests impossible to build: a method
            // must be a token, and a field value's line breaks become spaces, so a value cannot
            // inject a header line.
            #expect(HTTPRequest.Method("GE T") == nil)
            #expect(HTTPField.Name("X A") == nil)
            let injected = try await client.execute(
                HTTPClientRequest(url: server.baseURL + "/echo", headers: [HTTPField.Name("X-A")!: "1\r\nX-Injected: 2"]))
            #expect(injected.header("X-Echo-X-Injected") == nil)
            #expect(injected.header("X-Echo-X-A")?.contains("X-Injected") == true, "the text stays inside X-A")
        }
    }
}
