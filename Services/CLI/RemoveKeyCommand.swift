import ArgumentParser
import SignPeerCore

/// `signpeer removekey <worker> <alias>`: deletes a key (and the certificate stored with it) from
/// the worker's crypto token.
struct RemoveKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "removekey", abstract: "Remove a key from a worker's crypto token.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Worker id or name.") var worker: String
    @Argument(help: "Key alias.") var alias: String

    func run() async throws {
        let path = try AdminPaths.tokenKey(worker, alias: alias)
        let result: OperationResult = try await connection.makeClient().delete(path)
        print(result.message)
    }
}
