import ArgumentParser
import SignPeerCore

/// `signpeer incomingpeers`: the peer connections seen within the last hour (SPEC §4), clearing a
/// row, and authorizing it (adds the Peer System rule for its certificate).
struct IncomingPeersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incomingpeers", abstract: "List, clear or authorize incoming peer connections.",
        usage: IncomingPeersArguments.forms.joined(separator: "\n"))

    @OptionGroup var connection: ConnectionOptions
    @Argument(parsing: .allUnrecognized, help: .hidden) var arguments: [String] = []

    func run() async throws {
        let action = try IncomingPeersArguments.parse(arguments)
        let client = try connection.makeClient()
        switch action {
        case .list:
            let list: IncomingConnectionList = try await client.get(AdminPaths.incoming)
            for line in Self.lines(for: list) { print(line) }
        case .clear(let serialNumber, let issuerDN):
            let result: OperationResult = try await client.post(
                AdminPaths.incomingClear, RoleRuleRequest(serialNumber: serialNumber, issuerDN: issuerDN))
            print(result.message)
        case .authorize(let serialNumber, let issuerDN):
            let result: OperationResult = try await client.post(
                AdminPaths.incomingAuthorize, RoleRuleRequest(serialNumber: serialNumber, issuerDN: issuerDN))
            print(result.message)
        }
    }

    static let header = "Incoming connections (subject DN | remote address | last seen | authorized | serial | issuer DN):"

    /// The header, then one ` | `-separated line per connection in the order the gateway gives.
    static func lines(for list: IncomingConnectionList) -> [String] {
        [header]
            + list.connections.map {
                [
                    $0.subjectDN, $0.remoteAddress, $0.lastSeen, $0.authorized ? "yes" : "no", $0.serialNumber,
                    $0.issuerDN,
                ].joined(separator: " | ")
            }
    }
}
