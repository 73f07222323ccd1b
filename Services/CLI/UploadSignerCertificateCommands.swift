import ArgumentParser
import SignPeerCore

/// `signpeer uploadsignercertificate <worker> GLOB <file>` and
/// `signpeer uploadsignercertificatechain <worker> GLOB <file>`: install the worker's signer
/// certificate (`SIGNERCERTIFICATE`) or chain, leaf first (`SIGNERCERTIFICATECHAIN`). The file is
/// PEM (sent as is) or DER (sent base64-encoded). As in SignServer the second argument is the
/// scope; only `GLOB` (any case) is accepted. ``SignerCertificateUploadCommand`` holds what the two
/// commands share.
protocol SignerCertificateUploadCommand: AsyncParsableCommand {
    var connection: ConnectionOptions { get }
    var worker: String { get }
    var scope: String { get }
    var file: String { get }
    /// `PUT .../certificate` or `PUT .../certificatechain`.
    static func path(_ worker: String) throws(CLIError) -> String
}

extension SignerCertificateUploadCommand {
    static var usageLine: String { "signpeer \(configuration.commandName ?? "") <worker> GLOB <file>" }

    /// Only the `GLOB` scope exists (any case).
    static func checkScope(_ scope: String) throws(CLIError) {
        guard scope.uppercased() == "GLOB" else {
            throw CLIError.usage("the scope must be GLOB, not '\(scope)'", usageLine)
        }
    }

    func run() async throws {
        try Self.checkScope(scope)
        let path = try Self.path(worker)
        let data = try InputFiles.read(file)
        guard !data.isEmpty else { throw CLIError("\(file) is empty") }
        let result: OperationResult = try await connection.makeClient().put(
            path, CertificateUpload(certificate: InputFiles.certificate(data)))
        print(result.message)
    }
}

struct UploadSignerCertificateCommand: SignerCertificateUploadCommand {
    static let configuration = CommandConfiguration(
        commandName: "uploadsignercertificate", abstract: "Install a worker's signer certificate (PEM or DER file).")
    static func path(_ worker: String) throws(CLIError) -> String { try AdminPaths.signerCertificate(worker) }

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Worker id or name.") var worker: String
    @Argument(help: "Scope: GLOB.") var scope: String
    @Argument(help: "Certificate file, PEM or DER.") var file: String
}

struct UploadSignerCertificateChainCommand: SignerCertificateUploadCommand {
    static let configuration = CommandConfiguration(
        commandName: "uploadsignercertificatechain",
        abstract: "Install a worker's certificate chain, leaf first (PEM file, or one DER certificate).")
    static func path(_ worker: String) throws(CLIError) -> String { try AdminPaths.signerCertificateChain(worker) }

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Worker id or name.") var worker: String
    @Argument(help: "Scope: GLOB.") var scope: String
    @Argument(help: "Chain file: PEM certificates, leaf first, or one DER certificate.") var file: String
}
