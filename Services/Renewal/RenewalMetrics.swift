import Metrics

/// Renewal counters and timings for Prometheus (on the service's `/metrics`): key generation
/// time by algorithm, and renewals and installs by outcome, so operators can alert on failures.
enum KeyGenerationMetrics {
    static func record(algorithm: String, duration: Duration) {
        Timer(label: "signpeer_key_generation_seconds", dimensions: [("algorithm", algorithm)])
            .record(duration: duration)
    }
}

enum RenewalMetrics {
    static func renewal(outcome: String) {
        Counter(label: "signpeer_renewals_total", dimensions: [("outcome", outcome)]).increment()
    }

    static func install(outcome: String) {
        Counter(label: "signpeer_certificate_installs_total", dimensions: [("outcome", outcome)]).increment()
    }
}
