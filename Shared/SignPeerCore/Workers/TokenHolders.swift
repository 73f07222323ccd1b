/// The one answer to "which worker holds this worker's crypto token?" and "is this worker listed
/// to peers?" (SPEC §1, §5), over worker records and nothing else — the lister, the status
/// reporter (getstatus, Admin Web) and the renewal service all ask it, so they cannot disagree.
///
/// - A worker with `CRYPTOTOKEN` uses the token of the worker it names, which must be an existing
///   **CRYPTO_WORKER** (by NAME, case-insensitively); naming anything else (a PROCESSABLE worker,
///   an unknown name) means the worker has no token, even if it also has a token of its own.
/// - Without `CRYPTOTOKEN`, a worker holds its own token when `CRYPTOTOKEN_IMPLEMENTATION_CLASS` is
///   set or it is a CRYPTO_WORKER.
/// - A worker is listed when it is PROCESSABLE, `PEERS_VISIBLE` is true and it has a token holder.
public struct TokenHolders: Sendable {
    private let cryptoWorkers: [String: WorkerRecord]

    /// `workers` must include every CRYPTO_WORKER a `CRYPTOTOKEN` of interest may name; other
    /// records are ignored.
    public init(_ workers: some Sequence<WorkerRecord>) {
        var cryptoWorkers: [String: WorkerRecord] = [:]
        for worker in workers where worker.type == .cryptoWorker { cryptoWorkers[worker.name.uppercased()] = worker }
        self.cryptoWorkers = cryptoWorkers
    }

    /// The worker whose token `worker` uses (possibly `worker` itself), or `nil` when it has none.
    public func holder(of worker: WorkerRecord) -> WorkerRecord? {
        if let reference = Self.reference(of: worker) { return cryptoWorkers[reference.uppercased()] }
        return worker.hasInternalToken ? worker : nil
    }

    /// Whether SPEC §5 lists `worker` to peers.
    public func isListed(_ worker: WorkerRecord) -> Bool { listing(worker) != nil }

    /// `worker` with its token holder when it is listed.
    public func listing(_ worker: WorkerRecord) -> Listed? {
        guard worker.type == .processable, worker.isTrue(PropertyName.peersVisible), let holder = holder(of: worker)
        else { return nil }
        return Listed(worker: worker, tokenWorker: holder)
    }

    /// The listed workers among `workers`, in their order.
    public func listed(_ workers: some Sequence<WorkerRecord>) -> [Listed] { workers.compactMap(listing) }

    /// The NAME a worker's `CRYPTOTOKEN` refers to, if any (what a row-locking reader must lock
    /// before asking ``holder(of:)``).
    public static func reference(of worker: WorkerRecord) -> String? { worker.value(PropertyName.cryptoToken) }

    /// A listed worker and the worker holding its token.
    public struct Listed: Sendable, Equatable {
        public var worker: WorkerRecord
        public var tokenWorker: WorkerRecord

        public init(worker: WorkerRecord, tokenWorker: WorkerRecord) {
            self.worker = worker
            self.tokenWorker = tokenWorker
        }
    }
}
