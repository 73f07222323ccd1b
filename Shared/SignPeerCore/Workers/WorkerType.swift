/// The TYPE of a worker (SPEC §1). Only `PROCESSABLE` workers can be exposed as key bindings;
/// a `CRYPTO_WORKER` holds a crypto token that other workers reference with `CRYPTOTOKEN`.
public enum WorkerType: String, Sendable, Codable, CaseIterable {
    case processable = "PROCESSABLE"
    case cryptoWorker = "CRYPTO_WORKER"
    case timedService = "TIMED_SERVICE"
    case special = "SPECIAL"
}
