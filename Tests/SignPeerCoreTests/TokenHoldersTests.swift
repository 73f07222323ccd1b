import SignPeerCore
import Testing

/// SPEC §5 as a table: each row is a worker (with the other workers of its installation) and
/// the answer the lister, the status reporter and the renewal service must all give.
struct TokenHoldersTests {
    static let implementation = PropertyName.cryptoTokenImplementation
    static let visible = [PropertyName.peersVisible: "true"]

    /// The installation every row is evaluated in.
    static let others = [
        WorkerRecord(id: 100, name: "SharedToken", type: .cryptoWorker, properties: [:]),
        WorkerRecord(id: 101, name: "OtherSigner", type: .processable, properties: [implementation: "KeystoreInConfigCryptoToken"]),
        WorkerRecord(id: 102, name: "Timer", type: .timedService, properties: [:]),
    ]

    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var worker: WorkerRecord
        /// The id of the worker expected to hold the token, nil for none.
        var holder: Int?
        var listed: Bool
        var testDescription: String { label }
    }

    static func worker(_ properties: [String: String], type: WorkerType = .processable) -> WorkerRecord {
        WorkerRecord(id: 1, name: "Signer", type: type, properties: properties)
    }

    static let rows: [Row] = [
        Row(label: "own token, visible", worker: worker(visible.merging([implementation: "KeystoreInConfigCryptoToken"]) { a, _ in a }),
            holder: 1, listed: true),
        Row(label: "own token, not visible", worker: worker([implementation: "KeystoreInConfigCryptoToken"]), holder: 1, listed: false),
        Row(label: "own token, PEERS_VISIBLE=false", worker: worker([implementation: "X", PropertyName.peersVisible: "false"]),
            holder: 1, listed: false),
        Row(label: "own token, PEERS_VISIBLE=TRUE (case-insensitive)",
            worker: worker([implementation: "X", PropertyName.peersVisible: "TRUE"]), holder: 1, listed: true),
        Row(label: "no token at all, visible", worker: worker(visible), holder: nil, listed: false),
        Row(label: "CRYPTOTOKEN names a CRYPTO_WORKER", worker: worker(visible.merging([PropertyName.cryptoToken: "SharedToken"]) { a, _ in a }),
            holder: 100, listed: true),
        Row(label: "CRYPTOTOKEN matched case-insensitively",
            worker: worker(visible.merging([PropertyName.cryptoToken: "sharedTOKEN"]) { a, _ in a }), holder: 100, listed: true),
        Row(label: "CRYPTOTOKEN names a PROCESSABLE worker",
            worker: worker(visible.merging([PropertyName.cryptoToken: "OtherSigner"]) { a, _ in a }), holder: nil, listed: false),
        Row(label: "CRYPTOTOKEN names a PROCESSABLE worker, even with a token of its own",
            worker: worker(visible.merging([PropertyName.cryptoToken: "OtherSigner", implementation: "X"]) { a, _ in a }),
            holder: nil, listed: false),
        Row(label: "CRYPTOTOKEN names a TIMED_SERVICE",
            worker: worker(visible.merging([PropertyName.cryptoToken: "Timer"]) { a, _ in a }), holder: nil, listed: false),
        Row(label: "CRYPTOTOKEN names nothing", worker: worker(visible.merging([PropertyName.cryptoToken: "Missing"]) { a, _ in a }),
            holder: nil, listed: false),
        Row(label: "blank CRYPTOTOKEN counts as absent",
            worker: worker(visible.merging([PropertyName.cryptoToken: "  ", implementation: "X"]) { a, _ in a }), holder: 1, listed: true),
        Row(label: "a CRYPTO_WORKER holds its own token but is never listed", worker: worker(visible, type: .cryptoWorker), holder: 1, listed: false),
        Row(label: "a TIMED_SERVICE with a token is not listed", worker: worker(visible.merging([implementation: "X"]) { a, _ in a }, type: .timedService),
            holder: 1, listed: false),
    ]

    @Test(arguments: rows)
    func theRuleAnswersAsSPECSection5Says(row: Row) {
        let rule = TokenHolders(Self.others + [row.worker])
        #expect(rule.holder(of: row.worker)?.id == row.holder)
        #expect(rule.isListed(row.worker) == row.listed)
        #expect(rule.listed([row.worker]).map(\.tokenWorker.id) == (row.listed ? [row.holder!] : []))
    }

    @Test func listingKeepsTheOrderOfTheWorkers() {
        let second = WorkerRecord(id: 2, name: "B", type: .processable, properties: Self.visible.merging([Self.implementation: "X"]) { a, _ in a })
        let first = WorkerRecord(id: 3, name: "A", type: .processable, properties: Self.visible.merging([PropertyName.cryptoToken: "SharedToken"]) { a, _ in a })
        let workers = Self.others + [second, first]
        #expect(TokenHolders(workers).listed(workers).map(\.worker.id) == [2, 3])
    }
}
