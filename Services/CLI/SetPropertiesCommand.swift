import ArgumentParser
import SignPeerCore

/// `signpeer setproperties <file>`: applies a SignServer-style property file in one transaction
/// (`WORKERGENID<n>.`, `WORKER<id-or-name>.`, `-WORKER<id>.`, `GLOB.` lines; SPEC §9.1).
struct SetPropertiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setproperties", abstract: "Apply a property file (all of it or nothing).")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Property file.") var file: String

    func run() async throws {
        let text = InputFiles.text(try InputFiles.read(file))
        let result: PropertyFileResult = try await connection.makeClient().post(
            AdminPaths.properties, PropertyFileRequest(text: text))
        for line in Self.lines(for: result) { print(line) }
    }

    /// `Created worker <name> with id <id>` per new worker, then the count applied.
    static func lines(for result: PropertyFileResult) -> [String] {
        result.created.map { "Created worker \($0.name) with id \($0.id)" }
            + ["Applied \(result.applied) \(result.applied == 1 ? "property" : "properties")."]
    }
}
