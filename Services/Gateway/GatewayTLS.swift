import NIOSSL
import SignPeerServer
import SignPeerStore

/// The TLS server configuration of the peer/admin port: mutual TLS is mandatory.
///
/// `certificateVerification = .noHostnameVerification` with the client CA bundle as the only trust
/// roots makes BoringSSL *require* a client certificate and verify its chain; a handshake without
/// one, or with one from another CA, fails. No custom verification callback is installed (one
/// that approves without re-verifying would let any certificate in).
enum GatewayTLS {
    static func serverConfiguration(_ configuration: GatewayConfiguration) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        let clientCAs: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(configuration.serverCertificatePath)
        } catch {
            throw ConfigurationError(variable: "SIGNPEER_TLS_CERT", message: "not a PEM certificate chain: \(configuration.serverCertificatePath)")
        }
        do {
            key = try NIOSSLPrivateKey(file: configuration.serverKeyPath, format: .pem)
        } catch {
            throw ConfigurationError(variable: "SIGNPEER_TLS_KEY", message: "not a PEM private key: \(configuration.serverKeyPath)")
        }
        do {
            clientCAs = try NIOSSLCertificate.fromPEMFile(configuration.clientCAPath)
        } catch {
            throw ConfigurationError(variable: "SIGNPEER_TLS_CLIENT_CA", message: "not a PEM certificate bundle: \(configuration.clientCAPath)")
        }
        guard !chain.isEmpty else {
            throw ConfigurationError(variable: "SIGNPEER_TLS_CERT", message: "no certificate in \(configuration.serverCertificatePath)")
        }
        guard !clientCAs.isEmpty else {
            throw ConfigurationError(variable: "SIGNPEER_TLS_CLIENT_CA", message: "no certificate in \(configuration.clientCAPath)")
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(clientCAs)
        tls.sendCANameList = true
        tls.verifySignatureAlgorithms = [
            .ecdsaSecp256R1Sha256, .ecdsaSecp384R1Sha384, .ecdsaSecp521R1Sha512,
            .rsaPssRsaeSha256, .rsaPssRsaeSha384, .rsaPssRsaeSha512,
            .rsaPkcs1Sha256, .rsaPkcs1Sha384, .rsaPkcs1Sha512, .ed25519,
        ]
        return tls
    }
}
