import ArgumentParser
import SignPeerCore

/// `signpeer generatekey <worker> -keyalg <alg> -keyspec <spec> -alias <alias>`: generates a key in
/// the worker's crypto token (e.g. `-keyalg RSA -keyspec 2048`, `-keyalg ECDSA -keyspec secp256r1`,
/// `-keyalg Ed25519`).
struct GenerateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generatekey", abstract: "Generate a key in a worker's crypto token.",
        usage: GenerateKeyArguments.usage,
        discussion: "-keyspec is the RSA key size or the curve name; leave it out for Ed25519 and Ed448.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(parsing: .allUnrecognized, help: .hidden) var arguments: [String] = []

    func run() async throws {
        let parsed = try GenerateKeyArguments.parse(arguments)
        let path = try AdminPaths.tokenKeys(parsed.worker)
        let entry: TokenEntry = try await connection.makeClient().post(
            path,
            KeyGenerationRequest(
                keyAlgorithm: parsed.keyAlgorithm, keySpecification: parsed.keySpecification, alias: parsed.alias))
        print(Self.line(for: entry))
    }

    /// `Created key <alias> (<algorithm> <spec>)`, without the spec when the key has none.
    static func line(for entry: TokenEntry) -> String {
        let kind = [entry.algorithm, entry.specification].compactMap { $0 }.joined(separator: " ")
        return "Created key \(entry.alias) (\(kind))"
    }
}
