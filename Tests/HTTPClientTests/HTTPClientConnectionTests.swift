import SignPeerHTTPClient
import SignPeerTestSupport
import Testing

@Suite struct HTTPClientConnectionTests {
    @Test func sequentialRequestsReuseOneConnection() async throws {
        try await withClientAndServer { client, server in
            for index in 0..<10 {
                let response = try await client.execute(
                    HTTPClientRequest(
                        method: .post, url: server.baseURL + "/echo", body: Array("\(index)".utf8))
                )
                #expect(response.bodyString == "\(index)")
            }
            #expect(server.acceptedConnections == 1)
            #expect(client.openedConnections == 1)
        }
    }

    @Test func manyConcurrentRequestsAllComplete() async throws {
        let configuration = HTTPClientConfiguration(maxConnectionsPerHost: 4)
        try await withClientAndServer(configuration) { client, server in
            let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let response = try await client.execute(
                            HTTPClientRequest(
                                method: .put, url: server.baseURL + "/echo/\(index)",
                                body: Array("body \(index)".utf8)))
                        return (index, response.bodyString)
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(bodies.count == 50)
            #expect(bodies.allSatisfy { $0.value == "body \($0.key)" })
            #expect(server.acceptedConnections <= 4)
        }
    }

    @Test func closedPortIsConnectionRefused() async throws {
        let client = HTTPClient()
        defer { client.shutdown() }
        let url = "http://127.0.0.1:\(FreePort.next())/x"
        #expect(
            await client.failure(of: HTTPClientRequest(url: url)) == .connectionRefused(url: url))
    }
}
