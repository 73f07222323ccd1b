import ArgumentParser
import SignPeerCore

/// `signpeer querytokenentries <worker>`: lists the keys in the worker's crypto token (which may be
/// held by another worker, whose id the header names).
struct QueryTokenEntriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "querytokenentries", abstract: "List the keys in a worker's crypto token.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Worker id or name.") var worker: String

    func run() async throws {
        let path = try AdminPaths.tokenKeys(worker)
        let list: TokenEntryList = try await connection.makeClient().get(path)
        for line in Self.lines(for: list) { print(line) }
    }

    /// `Token entries of worker <id>:`, then
    /// `<alias> <algorithm> <spec or -> ski=<hex> certificate=<subject or none>` per key.
    static func lines(for list: TokenEntryList) -> [String] {
        ["Token entries of worker \(list.tokenWorkerId):"]
            + list.entries.map {
                "\($0.alias) \($0.algorithm) \($0.specification ?? "-") ski=\($0.subjectKeyId)"
                    + " certificate=\($0.certificateSubject ?? "none")"
            }
    }
}
