import ArgumentParser
import Foundation
import SignPeerCore
import SignPeerHTTPClient

/// How the CLI reaches the gateway's admin API: with an Admin client certificate over mutual
/// TLS. Each option falls back to its `SIGNPEER_*` variable, which `.local/env` exports.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("url"), help: "Gateway base URL (SIGNPEER_URL).")
    var url: String?
    @Option(name: .customLong("cert"), help: "Admin client certificate, PEM (SIGNPEER_ADMIN_CERT).")
    var certificate: String?
    @Option(name: .customLong("key"), help: "Admin client private key, PEM (SIGNPEER_ADMIN_KEY).")
    var key: String?
    @Option(name: .customLong("cacert"), help: "CA bundle that signed the gateway's certificate (SIGNPEER_CA_CERT).")
    var caCertificate: String?

    func makeClient() throws -> GatewayClient {
        let environment = ProcessInfo.processInfo.environment
        func value(_ option: String?, _ variable: String, _ fallback: String? = nil) throws -> String {
            if let option, !option.isEmpty { return option }
            if let fromEnvironment = environment[variable], !fromEnvironment.isEmpty { return fromEnvironment }
            if let fallback { return fallback }
            throw CLIError("missing \(variable) (or its option)")
        }
        var baseURL = try value(url, "SIGNPEER_URL", "https://127.0.0.1:8443")
        while baseURL.hasSuffix("/") { baseURL.removeLast() }
        let tls = HTTPClientTLSOptions(
            caFile: try value(caCertificate, "SIGNPEER_CA_CERT"),
            certificateFile: try value(certificate, "SIGNPEER_ADMIN_CERT"),
            privateKeyFile: try value(key, "SIGNPEER_ADMIN_KEY"))
        return GatewayClient(baseURL: baseURL, http: HTTPClient(configuration: .init(tls: tls)))
    }
}
