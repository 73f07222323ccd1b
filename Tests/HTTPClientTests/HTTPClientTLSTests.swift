import SignPeerHTTPClient
import Testing

@Suite struct HTTPClientTLSTests {
    /// Runs `body` against a fresh `openssl s_server` with fresh certificates, removing both after.
    private func withTLSServer(_ body: (TestPKI, OpenSSLTestServer) async throws -> Void)
        async throws
    {
        let pki = try await TestPKI()
        defer { pki.remove() }
        let server = try await OpenSSLTestServer(pki: pki)
        defer { server.stop() }
        try await body(pki, server)
    }

    private func clientTLS(_ pki: TestPKI) -> HTTPClientTLSOptions {
        HTTPClientTLSOptions(
            caFile: pki.caFile, certificateFile: pki.clientCertificateFile,
            privateKeyFile: pki.clientKeyFile)
    }

    @Test func presentsClientCertificateAndVerifiesServer() async throws {
        try await withTLSServer { pki, server in
            let client = HTTPClient(configuration: HTTPClientConfiguration(tls: clientTLS(pki)))
            defer { client.shutdown() }
            let response = try await client.execute(HTTPClientRequest(url: server.baseURL + "/"))
            #expect(response.status == 200)
            #expect(response.bodyString.contains("Subject: CN=\(TestPKI.clientCommonName)"))
        }
    }

    @Test func serverFromAnotherCAIsRejected() async throws {
        try await withTLSServer { pki, server in
            var tls = clientTLS(pki)
            tls.caFile = pki.otherCAFile
            let client = HTTPClient(configuration: HTTPClientConfiguration(tls: tls))
            defer { client.shutdown() }
            let error = await client.failure(of: HTTPClientRequest(url: server.baseURL + "/"))
            guard case .tls = error else {
                Issue.record("expected a TLS error, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func missingClientCertificateIsRejectedByTheServer() async throws {
        try await withTLSServer { pki, server in
            let client = HTTPClient(
                configuration: HTTPClientConfiguration(
                    tls: HTTPClientTLSOptions(caFile: pki.caFile)))
            defer { client.shutdown() }
            let error = await client.failure(of: HTTPClientRequest(url: server.baseURL + "/"))
            guard case .tls = error else {
                Issue.record("expected a TLS error, got \(String(describing: error))")
                return
            }
        }
    }

    @Test(arguments: [true, false])
    func hostNameMustMatchUnlessNotVerified(verifyHost: Bool) async throws {
        try await withTLSServer { pki, server in
            var tls = clientTLS(pki)
            tls.verifyHost = verifyHost
            let client = HTTPClient(configuration: HTTPClientConfiguration(tls: tls))
            defer { client.shutdown() }
            // The certificate names 127.0.0.1 only.
            let result = await client.failure(
                of: HTTPClientRequest(url: "https://localhost:\(server.port)/"))
            if verifyHost {
                guard case .tls = result else {
                    Issue.record("expected a TLS error, got \(String(describing: result))")
                    return
                }
            } else {
                #expect(result == nil)
            }
        }
    }
}
