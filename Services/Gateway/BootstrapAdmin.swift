import Foundation
import Logging
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerServer
import SignPeerStore

/// SPEC §9.1 "first admin": when `SIGNPEER_BOOTSTRAP_ADMIN_CERT` names a certificate and no Admin
/// rule exists yet, add an Admin rule for it (``RoleRuleStore/addFirstAdmin(_:source:in:)``); once
/// any Admin rule exists it does nothing.
enum BootstrapAdmin {
    static let variable = "SIGNPEER_BOOTSTRAP_ADMIN_CERT"

    static func apply(certificatePath: String, database: PostgresClient, logger: Logger) async throws {
        guard let pem = FileManager.default.contents(atPath: certificatePath) else {
            throw ConfigurationError(variable: variable, message: "cannot read '\(certificatePath)'")
        }
        let certificate: Certificate
        do {
            guard let first = try Certificate.parse(Array(pem)).first else { throw SignPeerError.invalidCertificate("empty") }
            certificate = first
        } catch {
            throw ConfigurationError(variable: variable, message: "not a certificate: '\(certificatePath)' (\(error))")
        }
        let added = try await RoleRuleStore.addFirstAdmin(
            .init(serialNumber: certificate.serialNumber, issuer: certificate.issuer), source: variable, in: database)
        if added {
            logger.notice(
                "bootstrap admin rule added",
                metadata: ["serial": .string(certificate.serialNumber), "issuer": .string(certificate.issuer.normalized)])
        }
    }
}
