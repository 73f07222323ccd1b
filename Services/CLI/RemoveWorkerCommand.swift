import ArgumentParser
import SignPeerCore

/// `signpeer removeworker <worker>`: removes a worker and all its properties.
struct RemoveWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "removeworker", abstract: "Remove a worker and its configuration.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Worker id or name.") var worker: String

    func run() async throws {
        let result: OperationResult = try await connection.makeClient().delete(try AdminPaths.worker(worker))
        print(result.message)
    }
}
