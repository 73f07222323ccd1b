import SignPeerCore
import SignPeerPeerProtocol
import SignPeerServer

/// Turns an expected failure of a key-binding operation into the GENERIC_ERROR_RESPONSE a
/// SignServer would send (EJBCA-PEER-PROTOCOL.md §3.2.3): the Java class name EJBCA knows for the
/// situation, and a message that starts with SignPeer's stable error code.
enum EJBCAPeerFailure {
    static let cryptoTokenOffline = "org.cesecore.keys.token.CryptoTokenOfflineException"
    static let certificateImport = "org.cesecore.keybind.CertificateImportException"
    static let invalidAlgorithmParameter = "java.security.InvalidAlgorithmParameterException"

    enum Operation { case prepareRenewal, update }

    /// Whether `error` is an expected failure (answered with an error frame, HTTP 200) rather than
    /// a transient or internal one (answered with HTTP 5xx, which EJBCA retries).
    static func isExpected(_ error: SignPeerError) -> Bool { (400..<500).contains(error.httpStatus.code) }

    static func response(for error: SignPeerError, in operation: Operation) -> GenericErrorResponse {
        GenericErrorResponse(exceptionClassName: className(for: error.code, in: operation), message: "\(error.code): \(error.message)")
    }

    /// PREPARE_RENEWAL: refused key parameters are an algorithm-parameter failure, everything
    /// else (offline token, missing key, unknown binding, bad CSR settings) is what SignServer
    /// reports as an offline crypto token. UPDATE: every refusal is a certificate-import failure.
    static func className(for code: SignPeerError.Code, in operation: Operation) -> String {
        switch operation {
        case .update: certificateImport
        case .prepareRenewal: code == .invalidProperty ? invalidAlgorithmParameter : cryptoTokenOffline
        }
    }
}
