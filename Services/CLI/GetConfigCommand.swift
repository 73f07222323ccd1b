import ArgumentParser
import SignPeerCore

/// `signpeer getconfig <worker|global>`: the properties of a worker or the global configuration,
/// sorted by name; secret values come masked from the gateway.
struct GetConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "getconfig", abstract: "Show the configuration of a worker or the global configuration.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Worker id or name, or 'global'.") var target: String

    func run() async throws {
        let target = try ConfigurationTarget(parsing: target)
        let config: WorkerConfig = try await connection.makeClient().get(try target.path)
        for line in Self.lines(for: config, global: target == .global) { print(line) }
    }

    /// A heading, then `  PROP=value` per property; lines after the first of a multi-line value
    /// (a PEM certificate) are indented further.
    static func lines(for config: WorkerConfig, global: Bool) -> [String] {
        var lines = [
            global ? "Global configuration:" : "Configuration for worker \(config.id) (\(config.name)), type \(config.type):"
        ]
        if config.properties.isEmpty { lines.append("  (no properties)") }
        for name in config.properties.keys.sorted() {
            let valueLines = config.properties[name, default: ""]
                .split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            lines.append("  \(name)=\(valueLines.first ?? "")")
            lines += valueLines.dropFirst().map { "    \($0)" }
        }
        return lines
    }
}
