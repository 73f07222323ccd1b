import SignPeerHTTPClient
import SignPeerTestSupport
import Testing

@Suite struct HTTPClientLimitTests {
    @Test func slowResponseTimesOut() async throws {
        try await withClientAndServer { client, server in
            let url = server.baseURL + "/delay/20000"
            let start = ContinuousClock.now
            let error = await client.failure(
                of: HTTPClientRequest(url: url, timeout: .milliseconds(200)))
            #expect(error == .timeout(url: url))
            // Long before the 20 s response: the 200 ms timeout fired. The bound is loose because
            // suites run in parallel on two cores and may delay the resumption.
            #expect(ContinuousClock.now - start < .seconds(15))
        }
    }

    @Test(arguments: ["/big/1001", "/big/5000?chunked"])
    func oversizedResponseIsRejected(path: String) async throws {
        try await withClientAndServer(HTTPClientConfiguration(maxResponseSize: 1000)) {
            client, server in
            let error = await client.failure(of: HTTPClientRequest(url: server.baseURL + path))
            #expect(error == .responseTooLarge(limit: 1000))
        }
    }

    @Test(arguments: ["/big/1000", "/big/1000?chunked"])
    func responseAtTheLimitIsAccepted(path: String) async throws {
        try await withClientAndServer(HTTPClientConfiguration(maxResponseSize: 1000)) {
            client, server in
            let response = try await client.execute(HTTPClientRequest(url: server.baseURL + path))
            #expect(response.body == (0..<1000).map { UInt8($0 % 251) })
        }
    }

    @Test func cancellingTheTaskCancelsTheRequest() async throws {
        try await withClientAndServer { client, server in
            let request = Task {
                await client.failure(of: HTTPClientRequest(url: server.baseURL + "/delay/30000"))
            }
            try await Task.sleep(for: .milliseconds(200))
            let cancelled = ContinuousClock.now
            request.cancel()
            #expect(await request.value == .cancelled)
            // Long before the 30 s answer (loose bound: suites run in parallel on two cores).
            #expect(ContinuousClock.now - cancelled < .seconds(10))
            // The client goes on serving.
            #expect(
                try await client.execute(HTTPClientRequest(url: server.baseURL + "/status/204"))
                    .status == 204)
        }
    }

    @Test func requestFromCancelledTaskFailsAtOnce() async throws {
        try await withClientAndServer { client, server in
            let request = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return await client.failure(of: HTTPClientRequest(url: server.baseURL + "/echo"))
            }
            #expect(await request.value == .cancelled)
        }
    }

    @Test func shutdownFailsInFlightAndLaterRequests() async throws {
        try await withClientAndServer { client, server in
            let inFlight = Task {
                await client.failure(of: HTTPClientRequest(url: server.baseURL + "/delay/30000"))
            }
            try await Task.sleep(for: .milliseconds(200))
            let shutdown = ContinuousClock.now
            client.shutdown()
            #expect(await inFlight.value == .shutdown)
            #expect(ContinuousClock.now - shutdown < .seconds(10))
            #expect(
                await client.failure(of: HTTPClientRequest(url: server.baseURL + "/echo"))
                    == .shutdown)
        }
    }
}
