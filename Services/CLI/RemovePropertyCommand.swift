import ArgumentParser
import SignPeerCore

/// `signpeer removeproperty <worker|global> <PROP>`: removes one property. Removing a property that
/// is not set is not an error: the gateway's message says so and the exit status is 0.
struct RemovePropertyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "removeproperty", abstract: "Remove a property of a worker or of the global configuration.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Worker id or name, or 'global'.") var target: String
    @Argument(help: "Property name.") var property: String

    func run() async throws {
        let path = try ConfigurationTarget(parsing: target).propertyPath(property)
        let result: OperationResult = try await connection.makeClient().delete(path)
        print(result.message)
    }
}
