import ArgumentParser
import SignPeerCore

/// `signpeer activatecryptotoken <worker> <code>`: activates the worker's crypto token with its
/// authentication code (PIN) (SPEC §6). The code is never printed: the arguments are parsed by
/// hand so that no error message, ArgumentParser's included, can echo it.
struct ActivateCryptoTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activatecryptotoken", abstract: "Activate a worker's crypto token with its authentication code.",
        usage: ActivationArguments.usage)

    @OptionGroup var connection: ConnectionOptions
    @Argument(parsing: .allUnrecognized, help: .hidden) var arguments: [String] = []

    func run() async throws {
        let parsed = try ActivationArguments.parse(arguments)
        let path = try AdminPaths.tokenActivate(parsed.worker)
        let result: OperationResult = try await connection.makeClient().post(
            path, TokenActivationRequest(code: parsed.code))
        print(result.message)
    }
}

/// The operands of `activatecryptotoken`. Errors name the worker at most, never the code.
struct ActivationArguments: Equatable {
    var worker: String
    var code: String

    static let usage = "signpeer activatecryptotoken <worker> <code>"

    /// A `--` before the operands (for a code that looks like an option) is dropped.
    static func parse(_ arguments: [String]) throws(CLIError) -> ActivationArguments {
        var arguments = arguments
        if let terminator = arguments.firstIndex(of: "--") { arguments.remove(at: terminator) }
        guard arguments.count == 2 else {
            throw CLIError.usage(
                arguments.count < 2 ? "expected a worker and an authentication code" : "too many arguments", usage)
        }
        guard !arguments[1].isEmpty else { throw CLIError.usage("the authentication code is empty", usage) }
        _ = try AdminPaths.worker(arguments[0])
        return ActivationArguments(worker: arguments[0], code: arguments[1])
    }
}
