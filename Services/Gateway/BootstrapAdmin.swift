import Foundation
import Logging
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerServiceSupport

/// SPEC §9.1 "first admin": when `SIGNPEER_BOOTSTRAP_ADMIN_CERT` names a certificate and no Admin
/// rule exists yet, add an Admin rule for it. Runs in one transaction under an advisory lock, so
/// replicas starting together add it once; once any Admin rule exists it does nothing.
enum BootstrapAdmin {
    static let variable = "SIGNPEER_BOOTSTRAP_ADMIN_CERT"
    static let lockKey: Int64 = 0x5349_474E_5045_4552  // "SIGNPEER"

    static func apply(certificatePath: String, database: PostgresClient, logger: Logger) async throws {
        guard let pem = FileManager.default.contents(atPath: certificatePath) else {
            throw ConfigurationError(variable: variable, message: "cannot read '\(certificatePath)'")
        }
        guard let certificate = try? Certificate.parse(Array(pem)).first else {
            throw ConfigurationError(variable: variable, message: "not a certificate: '\(certificatePath)'")
        }
        let added = try await database.withTransaction { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock($1)", [.int(lockKey)])
            let existing = try await connection.query("SELECT 1 FROM role_rules WHERE role = 'ADMIN' LIMIT 1")
            guard existing.isEmpty else { return false }
            try await connection.execute(
                "INSERT INTO role_rules (role, serial_number, issuer_dn, issuer_match) VALUES ('ADMIN', $1, $2, $3)",
                [.text(certificate.serialNumber), .text(certificate.issuer.normalized), .text(certificate.issuer.matchKey)])
            try await AuditLog.append(
                AuditEvent(
                    .ruleAdded, principal: nil,
                    details: [
                        "role": Role.admin.rawValue, "serialNumber": certificate.serialNumber,
                        "issuerDN": certificate.issuer.normalized, "source": variable,
                    ]), on: connection)
            return true
        }
        if added {
            logger.notice(
                "bootstrap admin rule added",
                metadata: ["serial": .string(certificate.serialNumber), "issuer": .string(certificate.issuer.normalized)])
        }
    }
}
