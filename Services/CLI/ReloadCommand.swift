import ArgumentParser
import SignPeerCore

/// `signpeer reload <all|worker>`: accepted for compatibility with SignServer; configuration
/// changes are live without it.
struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Reload the configuration (accepted; configuration is live).")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "'all' or a worker id or name.") var target: String

    func run() async throws {
        if target.lowercased() != "all" { _ = try AdminPaths.segment(target, what: "worker name or id") }
        let _: OperationResult = try await connection.makeClient().post(AdminPaths.reload)
        print("Configuration reloaded.")
    }
}
