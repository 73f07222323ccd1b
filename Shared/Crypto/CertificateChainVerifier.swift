import COpenSSL
import CSignPeerShims
import Foundation
import SignPeerCore

/// Path validation with OpenSSL's verifier, for double-checking a chain outside the TLS
/// handshake (for example a client chain the gateway received, or a chain being installed).
public enum CertificateChainVerifier {
    /// Verifies that `chain[0]` chains to one of `trustedRoots` through the other certificates of
    /// `chain` (in any order), with every certificate valid at `date`.
    ///
    /// Trust anchors must be self-signed roots, as in the TLS handshake; no revocation checks.
    ///
    /// - Throws: ``SignPeerError`` with code `.chainInvalid` and OpenSSL's reason.
    public static func verify(chain: [Certificate], trustedRoots: [Certificate], at date: Date) throws {
        guard let leaf = chain.first else { throw chainInvalid("the chain is empty") }
        guard let store = X509_STORE_new(), let untrusted = signpeer_sk_X509_new_null(),
            let context = X509_STORE_CTX_new()
        else { throw chainInvalid("out of memory") }
        var decoded: [OpaquePointer] = []
        defer {
            X509_STORE_CTX_free(context)
            signpeer_sk_X509_free(untrusted)
            decoded.forEach { X509_free($0) }
            X509_STORE_free(store)
            ERR_clear_error()
        }
        for root in trustedRoots {
            let x509 = try decodeX509(root.der)
            decoded.append(x509)
            guard X509_STORE_add_cert(store, x509) == 1 else { throw chainInvalid("cannot add a trusted root") }
        }
        let leafX509 = try decodeX509(leaf.der)
        decoded.append(leafX509)
        for certificate in chain.dropFirst() {
            let x509 = try decodeX509(certificate.der)
            decoded.append(x509)
            guard signpeer_sk_X509_push(untrusted, x509) > 0 else { throw chainInvalid("out of memory") }
        }
        guard X509_STORE_CTX_init(context, store, leafX509, untrusted) == 1 else {
            throw chainInvalid("cannot set up verification")
        }
        X509_STORE_CTX_set_time(context, 0, time_t(date.timeIntervalSince1970.rounded(.down)))
        guard X509_verify_cert(context) == 1 else {
            let error = X509_STORE_CTX_get_error(context)
            let reason = String(cString: X509_verify_cert_error_string(Int(error)))
            let depth = X509_STORE_CTX_get_error_depth(context)
            throw chainInvalid("\(reason) (certificate at depth \(depth))")
        }
    }

    private static func chainInvalid(_ message: String) -> SignPeerError {
        SignPeerError.chainInvalid("certificate chain does not verify: \(message)")
    }
}
