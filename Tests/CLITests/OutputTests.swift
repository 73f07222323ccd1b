import Foundation
import SignPeerCore
@testable import SignPeerCLI
import Testing

@Suite struct OutputTests {
    @Test func setPropertiesSummary() {
        #expect(
            SetPropertiesCommand.lines(
                for: PropertyFileResult(created: [.init(id: 3, name: "Signer3"), .init(id: 4, name: "Token")], applied: 7))
                == ["Created worker Signer3 with id 3", "Created worker Token with id 4", "Applied 7 properties."])
        #expect(SetPropertiesCommand.lines(for: PropertyFileResult(created: [], applied: 1)) == ["Applied 1 property."])
    }

    @Test func getConfigSortsAndIndentsMultiLineValues() {
        let config = WorkerConfig(
            id: 1, name: "Signer1", type: "PROCESSABLE",
            properties: ["KEYALG": "RSA", "AUTHTYPE": "NOAUTH", "SIGNERCERTIFICATE": "-----BEGIN X-----\nAA\n-----END X-----"])
        #expect(
            GetConfigCommand.lines(for: config, global: false) == [
                "Configuration for worker 1 (Signer1), type PROCESSABLE:",
                "  AUTHTYPE=NOAUTH",
                "  KEYALG=RSA",
                "  SIGNERCERTIFICATE=-----BEGIN X-----",
                "    AA",
                "    -----END X-----",
            ])
        #expect(
            GetConfigCommand.lines(for: WorkerConfig(id: 0, name: "GLOB", type: "SPECIAL", properties: [:]), global: true)
                == ["Global configuration:", "  (no properties)"])
    }

    private func status(_ id: Int, _ name: String, token: String? = "ACTIVE", holder: String? = nil) -> WorkerStatus {
        WorkerStatus(
            id: id, name: name, type: "PROCESSABLE", tokenStatus: token, tokenWorkerName: holder, exposedToPeers: true,
            disabled: false, keyAlias: "k1", nextKeyAlias: nil, certificateSubject: "CN=Signer",
            certificateNotAfter: "2030-01-01T00:00:00Z", issuedByPeer: false)
    }

    @Test func getStatusBlock() {
        #expect(
            GetStatusCommand.lines(for: status(1, "Signer1", holder: "Token")) == [
                "Worker 1 (Signer1), type PROCESSABLE:",
                "  Token status:          ACTIVE (held by Token)",
                "  Disabled:              no",
                "  Exposed to peers:      yes",
                "  Key alias:             k1",
                "  Next key alias:        (none)",
                "  Certificate subject:   CN=Signer",
                "  Certificate notAfter:  2030-01-01T00:00:00Z",
                "  Issued by peer:        no",
            ])
        #expect(GetStatusCommand.lines(for: status(2, "Token", holder: "Token"))[1] == "  Token status:          ACTIVE")
        #expect(
            GetStatusCommand.lines(for: status(3, "Plain", token: nil))[1]
                == "  Token status:          (no crypto token)")
    }

    @Test func getStatusSelection() throws {
        let workers = [status(5, "Beta"), status(2, "Alpha")]
        #expect(try GetStatusCommand.select(workers, target: nil).map(\.id) == [2, 5])
        #expect(try GetStatusCommand.select(workers, target: "5").map(\.id) == [5])
        #expect(try GetStatusCommand.select(workers, target: "alpha").map(\.id) == [2])
        #expect(throws: CLIError("no worker with id or name 'Gamma'")) {
            try GetStatusCommand.select(workers, target: "Gamma")
        }
    }

    @Test func ruleList() {
        let list = RoleRuleList(
            role: .peerSystem,
            rules: [
                .init(serialNumber: "1a", issuerDN: "CN=CA, O=Demo"),
                .init(serialNumber: "0123456789abcdef0123", issuerDN: "CN=Twenty"),
                .init(serialNumber: "0123456789abcdef0123456789", issuerDN: "CN=Longer"),
            ])
        // SignServer's String.format("%-20s %s", serial, issuer).
        #expect(
            PeerSystemsCommand.lines(for: list) == [
                "Authorizations:", "1a                   CN=CA, O=Demo", "0123456789abcdef0123 CN=Twenty",
                "0123456789abcdef0123456789 CN=Longer",
            ])
        #expect(AdminsCommand.lines(for: RoleRuleList(role: .admin, rules: [])) == ["Authorizations:"])
    }

    @Test func roleSegmentsMatchTheGateway() {
        #expect(AdminAPI.role(fromPath: PeerSystemsCommand.roleSegment) == .peerSystem)
        #expect(AdminAPI.role(fromPath: AdminsCommand.roleSegment) == .admin)
        #expect(AdminAPI.role(fromPath: AuditorsCommand.roleSegment) == .auditor)
        #expect(AdminAPI.role(fromPath: ArchiveAuditorsCommand.roleSegment) == .archiveAuditor)
        #expect(PeerSystemsCommand.configuration.commandName == "wspeersystems")
        #expect(ArchiveAuditorsCommand.configuration.commandName == "wsarchiveauditors")
    }

    @Test func incomingList() {
        let list = IncomingConnectionList(connections: [
            .init(
                serialNumber: "1a", issuerDN: "CN=CA", subjectDN: "CN=EJBCA, O=Demo", fingerprintSha256: "ff",
                remoteAddress: "10.0.0.5", firstSeen: "2025-01-01T00:00:00Z", lastSeen: "2025-01-01T00:10:00Z",
                requestCount: 3, authorized: true)
        ])
        #expect(
            IncomingPeersCommand.lines(for: list) == [
                IncomingPeersCommand.header,
                "CN=EJBCA, O=Demo | 10.0.0.5 | 2025-01-01T00:10:00Z | yes | 1a | CN=CA",
            ])
    }

    @Test func certificateFilesAsTheAPITakesThem() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        #expect(InputFiles.certificate(Data(pem.utf8)) == pem)
        #expect(InputFiles.certificate(Data([0x30, 0x82, 0x01, 0xFF])) == "MIIB/w==")
    }

    @Test func propertyFilesInUTF8OrLatin1() {
        #expect(InputFiles.text(Data("GLOB.X=\u{E9}\n".utf8)) == "GLOB.X=\u{E9}\n")
        #expect(InputFiles.text(Data([0x41, 0x3D, 0xE9])) == "A=\u{E9}")
    }

    @Test func unreadableFiles() {
        #expect(throws: CLIError("cannot read /nonexistent/x: no such file")) { try InputFiles.read("/nonexistent/x") }
        #expect(throws: CLIError("cannot read /tmp: is a directory")) { try InputFiles.read("/tmp") }
    }
}
