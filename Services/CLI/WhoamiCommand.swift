import ArgumentParser
import SignPeerCore

/// `signpeer whoami`: the principal the gateway derives from the CLI's certificate.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Show the principal and roles the gateway sees for your certificate.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let whoami: WhoamiResponse = try await connection.makeClient().get("/whoami")
        print("Serial number: \(whoami.serialNumber)")
        print("Issuer DN:     \(whoami.issuerDN)")
        print("Subject DN:    \(whoami.subjectDN)")
        print("Roles:         \(whoami.roles.map(\.rawValue).joined(separator: ", "))")
    }
}
