import ArgumentParser
import SignPeerCore

/// `signpeer getstatus brief all|<worker>`: one block per worker with its token, exposure, keys
/// and current certificate.
struct GetStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "getstatus", abstract: "Show the status of all workers or of one.",
        usage: usageLine)

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "'brief'.") var mode: String
    @Argument(help: "'all' or a worker id or name.") var target: String

    static let usageLine = "signpeer getstatus brief all|<worker>"

    func run() async throws {
        guard mode.lowercased() == "brief" else {
            throw CLIError.usage("unknown status mode '\(mode)'", Self.usageLine)
        }
        let all = target.lowercased() == "all"
        if !all { _ = try AdminPaths.segment(target, what: "worker name or id") }
        let list: WorkerStatusList = try await connection.makeClient().get(AdminPaths.workers)
        let workers = try Self.select(list.workers, target: all ? nil : target)
        if workers.isEmpty { print("No workers configured.") }
        for (index, worker) in workers.enumerated() {
            if index > 0 { print("") }
            for line in Self.lines(for: worker) { print(line) }
        }
    }

    /// All workers sorted by id, or the one whose id or name (any case) is `target`.
    static func select(_ workers: [WorkerStatus], target: String?) throws(CLIError) -> [WorkerStatus] {
        let sorted = workers.sorted { $0.id < $1.id }
        guard let target else { return sorted }
        let matching = sorted.filter { String($0.id) == target || $0.name.lowercased() == target.lowercased() }
        guard !matching.isEmpty else { throw CLIError("no worker with id or name '\(target)'") }
        return Array(matching.prefix(1))
    }

    static func lines(for worker: WorkerStatus) -> [String] {
        func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }
        var token = worker.tokenStatus ?? "(no crypto token)"
        if let holder = worker.tokenWorkerName, worker.tokenStatus != nil, holder != worker.name { token += " (held by \(holder))" }
        return [
            "Worker \(worker.id) (\(worker.name)), type \(worker.type):",
            "  Token status:          \(token)",
            "  Disabled:              \(yesNo(worker.disabled))",
            "  Exposed to peers:      \(yesNo(worker.exposedToPeers))",
            "  Key alias:             \(worker.keyAlias ?? "(none)")",
            "  Next key alias:        \(worker.nextKeyAlias ?? "(none)")",
            "  Certificate subject:   \(worker.certificateSubject ?? "(none)")",
            "  Certificate notAfter:  \(worker.certificateNotAfter ?? "(none)")",
            "  Issued by peer:        \(yesNo(worker.issuedByPeer))",
        ]
    }
}
