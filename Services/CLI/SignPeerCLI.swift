import ArgumentParser
import Foundation
import SignPeerHTTPClient

/// `signpeer`: the administration CLI, a client of the gateway's admin API. Command names and
/// options follow SignServer's administration CLI (SPEC §9.1).
@main
struct SignPeerCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signpeer",
        abstract: "Administer a SignPeer signer through its gateway.",
        subcommands: [
            SetPropertiesCommand.self, SetPropertyCommand.self, RemovePropertyCommand.self, GetConfigCommand.self,
            ReloadCommand.self, RemoveWorkerCommand.self, GetStatusCommand.self,
            PeerSystemsCommand.self, AdminsCommand.self, AuditorsCommand.self, ArchiveAuditorsCommand.self,
            ActivateCryptoTokenCommand.self, DeactivateCryptoTokenCommand.self, GenerateKeyCommand.self,
            RemoveKeyCommand.self, QueryTokenEntriesCommand.self, TestKeyCommand.self, ExportKeyStoreCommand.self,
            GenerateCertReqCommand.self, UploadSignerCertificateCommand.self, UploadSignerCertificateChainCommand.self,
            IncomingPeersCommand.self, AuditLogCommand.self, WhoamiCommand.self,
        ])

    static func main() async {
        HTTPClient.prepareProcess()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            fflush(nil)  // what the command printed before failing comes first
            FileHandle.standardError.write(Data("signpeer: \(error.description)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
