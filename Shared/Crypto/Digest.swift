import COpenSSL
import SignPeerCore

/// The message digests used for fingerprints and key identifiers.
public enum Digest {
    case sha1
    case sha256

    /// The digest of `bytes`.
    public func bytes(of bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let algorithm = switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        }
        // EVP_Digest with a built-in algorithm only fails on allocation failure.
        precondition(EVP_Digest(bytes, bytes.count, &digest, &length, algorithm, nil) == 1, "EVP_Digest failed")
        return Array(digest[0..<Int(length)])
    }

    /// Lower-case hex of the digest of `bytes`, without separators.
    public func hex(of bytes: [UInt8]) -> String {
        Hex.encode(self.bytes(of: bytes))
    }
}
