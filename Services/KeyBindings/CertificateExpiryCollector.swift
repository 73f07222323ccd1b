import Metrics
import SignPeerCore
import SignPeerCrypto
import SignPeerStore

/// `signpeer_worker_certificate_not_after_seconds{worker="…"}`: the notAfter (Unix time) of each
/// exposed worker's signer certificate, so operators can alert on expiry, e.g.
/// `signpeer_worker_certificate_not_after_seconds - time() < 30 * 86400`.
struct CertificateExpiryCollector: Sendable {
    let repository: WorkerStore
    let certificates: CertificateCache

    func collect() async {
        guard let candidates = try? await repository.listingCandidates() else { return }
        for exposed in TokenHolders(candidates).listed(candidates) {
            guard let pem = exposed.worker.value(PropertyName.signerCertificate),
                let certificate = certificates.certificates(pem)?.first
            else { continue }
            Gauge(label: "signpeer_worker_certificate_not_after_seconds", dimensions: [("worker", exposed.worker.name)])
                .record(certificate.notAfter.timeIntervalSince1970)
        }
    }
}
