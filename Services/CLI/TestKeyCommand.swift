import ArgumentParser
import SignPeerCore

/// `signpeer testkey <worker> [<alias>]`: signs a test value with a key of the worker's crypto
/// token and checks it against the worker's signer certificate. Without an alias the CLI sends the
/// path segment `_default` (``AdminPaths/defaultKeyAlias``), which the renewal service resolves to
/// the worker's `DEFAULTKEY`; the answer names the key actually tested.
struct TestKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "testkey", abstract: "Test a key of a worker's crypto token (default: DEFAULTKEY).")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Worker id or name.") var worker: String
    @Argument(help: "Key alias (default: the worker's DEFAULTKEY).") var alias: String?

    func run() async throws {
        let path = try AdminPaths.keyTest(worker, alias: alias ?? AdminPaths.defaultKeyAlias)
        let result: KeyTestResult = try await connection.makeClient().post(path)
        let report = Self.report(for: result)
        for line in report.lines { print(line) }
        if let failure = report.failure { throw failure }
    }

    /// `Key <alias> OK (<signature algorithm>)` when the signing test passed, and the one-line
    /// failure when it did not or when the key does not match the signer certificate.
    static func report(for result: KeyTestResult) -> (lines: [String], failure: CLIError?) {
        guard result.success else { return ([], CLIError("key \(result.alias) failed the signing test")) }
        let line = "Key \(result.alias) OK (\(result.signatureAlgorithm))"
        if result.matchesSignerCertificate == false {
            return ([line], CLIError("key \(result.alias) does not match the signer certificate"))
        }
        return ([line], nil)
    }
}
