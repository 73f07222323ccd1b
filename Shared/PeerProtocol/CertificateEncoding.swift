/// How a certificate travels in `INTERNAL_KEY_BINDING_UPDATE` version 1, and which form a signer
/// prefers in `..._PREPARE_RENEWAL_RESPONSE` version 1 (EJBCA-PEER-PROTOCOL.md §3.4).
public enum CertificateEncoding: Sendable, Hashable {
    /// `0` BINARY_CERTIFICATE: one DER certificate.
    case binaryCertificate
    /// `1` PEM_CERTIFICATES: PEM text, the signer's certificate first, then its CA chain.
    case pemCertificates
    /// Any other value; the Java reader maps it to "unknown" and a signer refuses it. The raw
    /// value is kept so a frame re-encodes unchanged.
    case unknown(Int32)

    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .binaryCertificate
        case 1: self = .pemCertificates
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: Int32 {
        switch self {
        case .binaryCertificate: 0
        case .pemCertificates: 1
        case .unknown(let value): value
        }
    }
}
