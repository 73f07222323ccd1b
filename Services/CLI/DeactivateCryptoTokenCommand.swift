import ArgumentParser
import SignPeerCore

/// `signpeer deactivatecryptotoken <worker>`: takes the worker's crypto token offline (SPEC §6).
struct DeactivateCryptoTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deactivatecryptotoken", abstract: "Deactivate a worker's crypto token.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Worker id or name.") var worker: String

    func run() async throws {
        let path = try AdminPaths.tokenDeactivate(worker)
        let result: OperationResult = try await connection.makeClient().post(path)
        print(result.message)
    }
}
