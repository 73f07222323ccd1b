import Logging
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres

/// Role rules (SPEC §4): (serial number, issuer DN) per role, in normalized form, so a rule typed
/// by hand and a certificate always meet. Changes also mark matching incoming-connection rows
/// as authorized or not, and call `onChange` (the gateway drops its role cache at once; other
/// replicas follow within the cache bound).
public struct RoleRuleStore: Sendable {
    public let database: PostgresClient
    let onChange: @Sendable () async -> Void

    public init(database: PostgresClient, onChange: @escaping @Sendable () async -> Void = {}) {
        self.database = database
        self.onChange = onChange
    }

    /// A rule's key in normalized form.
    public struct Key: Sendable {
        public var serialNumber: String
        public var issuer: DistinguishedName
        public init(serialNumber: String, issuer: DistinguishedName) {
            self.serialNumber = serialNumber
            self.issuer = issuer
        }
    }

    /// Normalizes a rule given by serial + issuer, or by certificate.
    public static func key(from request: RoleRuleRequest) throws -> Key {
        if let text = request.certificate, !PropertyName.isAbsent(text) {
            let parsed: Certificate?
            do {
                parsed = try Certificate.parse(Array(text.utf8)).first
            } catch let error as SignPeerError {
                throw SignPeerError.invalidCertificate(
                    "The certificate could not be read (PEM or DER expected): \(error.message)")
            }
            guard let certificate = parsed else {
                throw SignPeerError.invalidCertificate("The certificate could not be read (PEM or DER expected).")
            }
            return Key(serialNumber: certificate.serialNumber, issuer: certificate.issuer)
        }
        guard let serial = request.serialNumber, !PropertyName.isAbsent(serial) else {
            throw SignPeerError.invalidSerialNumber("A certificate serial number is required.")
        }
        guard let issuer = request.issuerDN, !PropertyName.isAbsent(issuer) else {
            throw SignPeerError.invalidDN("An issuer DN is required.")
        }
        let key = Key(serialNumber: try SerialNumber.normalize(serial), issuer: try DistinguishedName(parsing: issuer))
        guard !key.issuer.isEmpty else { throw SignPeerError.invalidDN("An issuer DN is required.") }
        return key
    }

    public func rules(for role: Role) async throws -> [RoleRule] {
        try await database.query(
            "SELECT serial_number, issuer_dn FROM role_rules WHERE role = $1 ORDER BY issuer_match, serial_number",
            [.text(role.rawValue)]
        ).map {
            RoleRule(
                serialNumber: try $0.decode(String.self, column: "serial_number"),
                issuerDN: try $0.decode(String.self, column: "issuer_dn"))
        }
    }

    /// Adds a rule; false when it already existed.
    public func add(_ key: Key, to role: Role, by principal: Principal, logger: Logger) async throws -> Bool {
        let added = try await database.withTransaction { connection in
            let inserted = try await connection.execute(
                """
                INSERT INTO role_rules (role, serial_number, issuer_dn, issuer_match) VALUES ($1, $2, $3, $4)
                ON CONFLICT (role, serial_number, issuer_match) DO NOTHING
                """, [.text(role.rawValue), .text(key.serialNumber), .text(key.issuer.normalized), .text(key.issuer.matchKey)])
            if inserted > 0, role == .peerSystem {
                try await connection.execute(
                    "UPDATE incoming_connections SET authorized = true WHERE serial_number = $1 AND issuer_match = $2",
                    [.text(key.serialNumber), .text(key.issuer.matchKey)])
            }
            if inserted > 0 {
                try await AuditLog.append(Self.auditEvent(.ruleAdded, key, role, principal), on: connection)
            }
            return inserted > 0
        }
        await onChange()
        logger.notice(
            added ? "rule added" : "rule already exists",
            metadata: ["role": .string(role.rawValue), "serial": .string(key.serialNumber)])
        return added
    }

    /// "Add Authorization" from an incoming-connection row: the Peer System rule for that
    /// certificate, with the issuer DN exactly as the row recorded it. Throws 404 when there is
    /// no such row; false when the rule already existed.
    public func authorize(_ key: Key, from registry: IncomingConnectionRegistry, by principal: Principal, logger: Logger)
        async throws -> Bool
    {
        guard let recorded = try await registry.recordedIssuer(serialNumber: key.serialNumber, issuerMatch: key.issuer.matchKey)
        else { throw IncomingConnectionRegistry.noSuchConnection }
        var key = key
        key.issuer = try DistinguishedName(parsing: recorded)
        return try await add(key, to: .peerSystem, by: principal, logger: logger)
    }

    /// Removes a rule; false when there was no such rule.
    public func remove(_ key: Key, from role: Role, by principal: Principal, logger: Logger) async throws -> Bool {
        let removed = try await database.withTransaction { connection in
            let deleted = try await connection.execute(
                "DELETE FROM role_rules WHERE role = $1 AND serial_number = $2 AND issuer_match = $3",
                [.text(role.rawValue), .text(key.serialNumber), .text(key.issuer.matchKey)])
            if deleted > 0, role == .peerSystem {
                try await connection.execute(
                    "UPDATE incoming_connections SET authorized = false WHERE serial_number = $1 AND issuer_match = $2",
                    [.text(key.serialNumber), .text(key.issuer.matchKey)])
            }
            if deleted > 0 {
                try await AuditLog.append(Self.auditEvent(.ruleRemoved, key, role, principal), on: connection)
            }
            return deleted > 0
        }
        await onChange()
        logger.notice(
            removed ? "rule removed" : "no such rule",
            metadata: ["role": .string(role.rawValue), "serial": .string(key.serialNumber)])
        return removed
    }

    static func auditEvent(_ name: AuditEvent.Name, _ key: Key, _ role: Role, _ principal: Principal?) -> AuditEvent {
        AuditEvent(
            name, principal: principal,
            details: ["role": role.rawValue, "serialNumber": key.serialNumber, "issuerDN": key.issuer.normalized])
    }

    /// The roles of the certificate (serial, issuer match key), sorted.
    public static func roles(serialNumber: String, issuerMatch: String, in database: PostgresClient) async throws
        -> [Role]
    {
        let rows = try await database.query(
            "SELECT role FROM role_rules WHERE serial_number = $1 AND issuer_match = $2",
            [.text(serialNumber), .text(issuerMatch)])
        return try rows.map { try $0.decode(String.self, column: "role") }.compactMap(Role.init(rawValue:)).sorted()
    }

    /// SPEC §9.1 "first admin": adds an Admin rule for `key` when no Admin rule exists yet, in one
    /// transaction under an advisory lock (replicas starting together add it once). Returns
    /// whether it added the rule.
    public static func addFirstAdmin(_ key: Key, source: String, in database: PostgresClient) async throws -> Bool {
        try await database.withTransaction { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock($1)", [.int(firstAdminLockKey)])
            let existing = try await connection.query("SELECT 1 FROM role_rules WHERE role = 'ADMIN' LIMIT 1")
            guard existing.isEmpty else { return false }
            try await connection.execute(
                "INSERT INTO role_rules (role, serial_number, issuer_dn, issuer_match) VALUES ('ADMIN', $1, $2, $3)",
                [.text(key.serialNumber), .text(key.issuer.normalized), .text(key.issuer.matchKey)])
            var event = auditEvent(.ruleAdded, key, .admin, nil)
            event.details["source"] = source
            try await AuditLog.append(event, on: connection)
            return true
        }
    }

    static let firstAdminLockKey: Int64 = 0x5349_474E_5045_4552  // "SIGNPEER"
}
