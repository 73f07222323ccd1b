import ArgumentParser
import Foundation
import SignPeerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `signpeer exportkeystore <worker> <file> <password>`: writes the worker's crypto token as a
/// PKCS#12 key store protected by a new password (for moving keys out; the token is unchanged).
/// The file is created with mode 0600. As with `activatecryptotoken`, the arguments are parsed by
/// hand so that no message can echo the password.
struct ExportKeyStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exportkeystore", abstract: "Export a worker's crypto token as a PKCS#12 file under a new password.",
        usage: ExportKeyStoreArguments.usage)

    @OptionGroup var connection: ConnectionOptions
    @Argument(parsing: .allUnrecognized, help: .hidden) var arguments: [String] = []

    func run() async throws {
        let parsed = try ExportKeyStoreArguments.parse(arguments)
        try OutputFiles.checkWritable(parsed.file)
        let result: KeyStoreExportResponse = try await connection.makeClient().post(
            try AdminPaths.worker(parsed.worker) + "/token/export", KeyStoreExportRequest(password: parsed.password))
        guard let bytes = Data(base64Encoded: result.pkcs12) else {
            throw CLIError("the gateway answered an unreadable key store")
        }
        let descriptor = open(parsed.file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw CLIError("cannot write \(parsed.file): \(String(cString: strerror(errno)))") }
        close(descriptor)
        try OutputFiles.write(bytes, to: parsed.file)
        print("Exported \(result.entries) \(result.entries == 1 ? "key" : "keys") to \(parsed.file)")
    }
}

/// The operands of `exportkeystore`. Errors name the worker or file at most, never the password.
struct ExportKeyStoreArguments: Equatable {
    var worker: String
    var file: String
    var password: String

    static let usage = "signpeer exportkeystore <worker> <file> <password>"

    static func parse(_ arguments: [String]) throws(CLIError) -> ExportKeyStoreArguments {
        var arguments = arguments
        if let terminator = arguments.firstIndex(of: "--") { arguments.remove(at: terminator) }
        guard arguments.count == 3 else {
            throw CLIError.usage(
                arguments.count < 3 ? "expected a worker, a file and a new password" : "too many arguments", usage)
        }
        guard !arguments[2].isEmpty else { throw CLIError.usage("the password is empty", usage) }
        _ = try AdminPaths.worker(arguments[0])
        return ExportKeyStoreArguments(worker: arguments[0], file: arguments[1], password: arguments[2])
    }
}
