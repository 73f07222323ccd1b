import ArgumentParser
import SignPeerCore

/// `signpeer setproperty <worker|global> <PROP> <value>`: sets one property of a worker or of the
/// global configuration.
struct SetPropertyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setproperty", abstract: "Set a property of a worker or of the global configuration.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Worker id or name, or 'global'.") var target: String
    @Argument(help: "Property name.") var property: String
    @Argument(help: "Value. Put '--' before a value that starts with '-', such as a PEM certificate.")
    var value: String

    func run() async throws {
        let path = try ConfigurationTarget(parsing: target).propertyPath(property)
        let result: OperationResult = try await connection.makeClient().put(path, PropertyValue(value: value))
        print(result.message)
    }
}
