/// Wire types of the admin API (`/admin/v1/...` on the gateway's TLS port, Admin role), shared by
/// the gateway, the key-binding service and the `signpeer` CLI so all three agree on one shape.
///
/// | call | body → answer |
/// |---|---|
/// | `POST /admin/v1/properties` | ``PropertyFileRequest`` → ``PropertyFileResult`` (setproperties) |
/// | `GET /admin/v1/workers` | → ``WorkerStatusList`` (getstatus brief all) |
/// | `GET /admin/v1/workers/{ref}` | → ``WorkerConfig`` (getconfig; secrets masked) |
/// | `DELETE /admin/v1/workers/{ref}` | → ``OperationResult`` (removeworker) |
/// | `PUT /admin/v1/workers/{ref}/properties/{PROP}` | ``PropertyValue`` → ``OperationResult`` |
/// | `DELETE /admin/v1/workers/{ref}/properties/{PROP}` | → ``OperationResult`` (`changed` false when absent) |
/// | `GET /admin/v1/global` | → ``WorkerConfig`` with id 0, name `GLOB` |
/// | `PUT`/`DELETE /admin/v1/global/properties/{PROP}` | as for workers |
/// | `POST /admin/v1/reload` | → ``OperationResult`` (configuration is live; accepted for compatibility) |
/// | `GET /admin/v1/roles/{role}` | → ``RoleRuleList`` (role: `peersystems`, `admins`, `auditors`, `archiveauditors`) |
/// | `POST /admin/v1/roles/{role}/rules` | ``RoleRuleRequest`` → ``OperationResult`` (`changed` false: already exists) |
/// | `POST /admin/v1/roles/{role}/rules/remove` | ``RoleRuleRequest`` → ``OperationResult`` (`changed` false: no such rule) |
/// | `GET /admin/v1/incoming` | → ``IncomingConnectionList`` (rows seen within the last hour) |
/// | `POST /admin/v1/incoming/clear` | ``RoleRuleRequest`` → ``OperationResult`` |
/// | `POST /admin/v1/incoming/authorize` | ``RoleRuleRequest`` → ``OperationResult`` (adds the Peer System rule) |
public enum AdminAPI {
    /// The role segment of `/admin/v1/roles/{role}`, named after the SignServer CLI commands.
    public static func role(fromPath segment: String) -> Role? {
        switch segment.lowercased() {
        case "peersystems", "wspeersystems": .peerSystem
        case "admins", "wsadmins": .admin
        case "auditors", "wsauditors": .auditor
        case "archiveauditors", "wsarchiveauditors": .archiveAuditor
        default: nil
        }
    }
}

public struct PropertyFileRequest: Codable, Sendable {
    public var text: String
    public init(text: String) { self.text = text }
}

public struct PropertyFileResult: Codable, Sendable, Equatable {
    public struct Created: Codable, Sendable, Equatable {
        public var id: Int
        public var name: String
        public init(id: Int, name: String) {
            self.id = id
            self.name = name
        }
    }

    public var created: [Created]
    /// Number of set/remove operations applied.
    public var applied: Int
    public init(created: [Created], applied: Int) {
        self.created = created
        self.applied = applied
    }
}

public struct PropertyValue: Codable, Sendable {
    public var value: String
    public init(value: String) { self.value = value }
}

public struct OperationResult: Codable, Sendable, Equatable {
    /// Whether anything changed (a rule that already existed, or a property that was absent: false).
    public var changed: Bool
    public var message: String
    public init(changed: Bool, message: String) {
        self.changed = changed
        self.message = message
    }
}

public struct WorkerConfig: Codable, Sendable, Equatable {
    public var id: Int
    public var name: String
    public var type: String
    /// Property name → value; secret values are `_MASKED_`.
    public var properties: [String: String]
    public init(id: Int, name: String, type: String, properties: [String: String]) {
        self.id = id
        self.name = name
        self.type = type
        self.properties = properties
    }

    public static let masked = "_MASKED_"
}

public struct WorkerStatus: Codable, Sendable, Equatable {
    public var id: Int
    public var name: String
    public var type: String
    /// `ACTIVE` or `OFFLINE`; nil when the worker has no crypto token.
    public var tokenStatus: String?
    public var tokenWorkerName: String?
    public var exposedToPeers: Bool
    public var disabled: Bool
    public var keyAlias: String?
    public var nextKeyAlias: String?
    public var certificateSubject: String?
    public var certificateNotAfter: String?
    public var issuedByPeer: Bool

    public init(
        id: Int, name: String, type: String, tokenStatus: String?, tokenWorkerName: String?, exposedToPeers: Bool,
        disabled: Bool, keyAlias: String?, nextKeyAlias: String?, certificateSubject: String?,
        certificateNotAfter: String?, issuedByPeer: Bool
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.tokenStatus = tokenStatus
        self.tokenWorkerName = tokenWorkerName
        self.exposedToPeers = exposedToPeers
        self.disabled = disabled
        self.keyAlias = keyAlias
        self.nextKeyAlias = nextKeyAlias
        self.certificateSubject = certificateSubject
        self.certificateNotAfter = certificateNotAfter
        self.issuedByPeer = issuedByPeer
    }
}

public struct WorkerStatusList: Codable, Sendable, Equatable {
    public var workers: [WorkerStatus]
    public init(workers: [WorkerStatus]) { self.workers = workers }
}

/// A rule by (serial, issuer) or by certificate (PEM, or base64 DER), as `-certserialno/-issuerdn`
/// or `-cert` give it; the gateway normalizes both (SPEC §4).
public struct RoleRuleRequest: Codable, Sendable {
    public var serialNumber: String?
    public var issuerDN: String?
    public var certificate: String?
    public init(serialNumber: String? = nil, issuerDN: String? = nil, certificate: String? = nil) {
        self.serialNumber = serialNumber
        self.issuerDN = issuerDN
        self.certificate = certificate
    }
}

public struct RoleRule: Codable, Sendable, Equatable {
    public var serialNumber: String
    public var issuerDN: String
    public init(serialNumber: String, issuerDN: String) {
        self.serialNumber = serialNumber
        self.issuerDN = issuerDN
    }
}

public struct RoleRuleList: Codable, Sendable, Equatable {
    public var role: Role
    public var rules: [RoleRule]
    public init(role: Role, rules: [RoleRule]) {
        self.role = role
        self.rules = rules
    }
}

public struct IncomingConnection: Codable, Sendable, Equatable {
    public var serialNumber: String
    public var issuerDN: String
    public var subjectDN: String
    public var fingerprintSha256: String
    public var remoteAddress: String
    public var firstSeen: String
    public var lastSeen: String
    public var requestCount: Int
    public var authorized: Bool
    /// The sourceId of the last EJBCA peer-protocol frame from this peer (SPEC §12), else nil.
    public var sourceId: Int?
    public init(
        serialNumber: String, issuerDN: String, subjectDN: String, fingerprintSha256: String, remoteAddress: String,
        firstSeen: String, lastSeen: String, requestCount: Int, authorized: Bool, sourceId: Int? = nil
    ) {
        self.serialNumber = serialNumber
        self.issuerDN = issuerDN
        self.subjectDN = subjectDN
        self.fingerprintSha256 = fingerprintSha256
        self.remoteAddress = remoteAddress
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.requestCount = requestCount
        self.authorized = authorized
        self.sourceId = sourceId
    }
}

public struct IncomingConnectionList: Codable, Sendable, Equatable {
    public var connections: [IncomingConnection]
    public init(connections: [IncomingConnection]) { self.connections = connections }
}

/// One audit-log row as `GET /admin/v1/audit` (Auditor or Admin) returns it.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var seq: Int
    public var time: String
    public var event: String
    public var outcome: String
    public var principalSerial: String?
    public var principalIssuer: String?
    public var principalSubject: String?
    public var workerId: Int?
    public var workerName: String?
    /// JSON object text.
    public var details: String

    public init(
        seq: Int, time: String, event: String, outcome: String, principalSerial: String?, principalIssuer: String?,
        principalSubject: String?, workerId: Int?, workerName: String?, details: String
    ) {
        self.seq = seq
        self.time = time
        self.event = event
        self.outcome = outcome
        self.principalSerial = principalSerial
        self.principalIssuer = principalIssuer
        self.principalSubject = principalSubject
        self.workerId = workerId
        self.workerName = workerName
        self.details = details
    }
}

public struct AuditEntryList: Codable, Sendable, Equatable {
    public var entries: [AuditEntry]
    public init(entries: [AuditEntry]) { self.entries = entries }
}

/// `GET /admin/v1/audit/verify`: the chain is intact (`firstBroken` nil) or broken at that row.
public struct AuditVerificationResult: Codable, Sendable, Equatable {
    public var rows: Int
    public var firstBroken: Int?
    public var reason: String?
    public init(rows: Int, firstBroken: Int?, reason: String?) {
        self.rows = rows
        self.firstBroken = firstBroken
        self.reason = reason
    }
}

// MARK: Crypto tokens and keys (renewal service, through the gateway; Admin role)
//
// | call | body → answer |
// |---|---|
// | `POST /admin/v1/workers/{ref}/token/activate` | ``TokenActivationRequest`` → ``OperationResult`` |
// | `POST /admin/v1/workers/{ref}/token/deactivate` | → ``OperationResult`` |
// | `GET /admin/v1/workers/{ref}/token/keys` | → ``TokenEntryList`` (querytokenentries) |
// | `POST /admin/v1/workers/{ref}/token/keys` | ``KeyGenerationRequest`` → ``TokenEntry`` (generatekey) |
// | `DELETE /admin/v1/workers/{ref}/token/keys/{alias}` | → ``OperationResult`` (removekey) |
// | `POST /admin/v1/workers/{ref}/token/keys/{alias}/test` | → ``KeyTestResult`` (testkey) |
// | `POST /admin/v1/workers/{ref}/csr` | ``CertificateRequestRequest`` → ``CertificateRequestResult`` (generatecertreq) |
// | `PUT /admin/v1/workers/{ref}/certificate` | ``CertificateUpload`` → ``OperationResult`` (uploadsignercertificate) |
// | `PUT /admin/v1/workers/{ref}/certificatechain` | ``CertificateUpload`` → ``OperationResult`` (uploadsignercertificatechain) |

public struct TokenActivationRequest: Codable, Sendable {
    /// The authentication code (PIN). Never logged, never echoed.
    public var code: String
    public init(code: String) { self.code = code }
}

public struct TokenEntry: Codable, Sendable, Equatable {
    public var alias: String
    public var algorithm: String
    public var specification: String?
    public var subjectKeyId: String
    /// Subject DN of the certificate stored with the key, if any.
    public var certificateSubject: String?
    public init(alias: String, algorithm: String, specification: String?, subjectKeyId: String, certificateSubject: String?) {
        self.alias = alias
        self.algorithm = algorithm
        self.specification = specification
        self.subjectKeyId = subjectKeyId
        self.certificateSubject = certificateSubject
    }
}

public struct TokenEntryList: Codable, Sendable, Equatable {
    public var tokenWorkerId: Int
    public var entries: [TokenEntry]
    public init(tokenWorkerId: Int, entries: [TokenEntry]) {
        self.tokenWorkerId = tokenWorkerId
        self.entries = entries
    }
}

public struct KeyGenerationRequest: Codable, Sendable {
    public var keyAlgorithm: String
    public var keySpecification: String?
    public var alias: String
    public init(keyAlgorithm: String, keySpecification: String?, alias: String) {
        self.keyAlgorithm = keyAlgorithm
        self.keySpecification = keySpecification
        self.alias = alias
    }
}

public struct KeyTestResult: Codable, Sendable, Equatable {
    public var alias: String
    public var success: Bool
    public var signatureAlgorithm: String
    /// Whether the worker's SIGNERCERTIFICATE holds this key's public key (nil when there is none).
    public var matchesSignerCertificate: Bool?
    public init(alias: String, success: Bool, signatureAlgorithm: String, matchesSignerCertificate: Bool?) {
        self.alias = alias
        self.success = success
        self.signatureAlgorithm = signatureAlgorithm
        self.matchesSignerCertificate = matchesSignerCertificate
    }
}

public struct CertificateRequestRequest: Codable, Sendable {
    public var subjectDN: String
    public var signatureAlgorithm: String
    /// Use NEXTCERTSIGNKEY instead of DEFAULTKEY.
    public var nextKey: Bool
    /// An explicit alias (overrides `nextKey`).
    public var alias: String?
    public init(subjectDN: String, signatureAlgorithm: String, nextKey: Bool, alias: String?) {
        self.subjectDN = subjectDN
        self.signatureAlgorithm = signatureAlgorithm
        self.nextKey = nextKey
        self.alias = alias
    }
}

public struct CertificateRequestResult: Codable, Sendable, Equatable {
    public var keyAlias: String
    public var csr: String
    public init(keyAlias: String, csr: String) {
        self.keyAlias = keyAlias
        self.csr = csr
    }
}

public struct CertificateUpload: Codable, Sendable {
    /// PEM (one certificate or a chain, leaf first) or base64 DER.
    public var certificate: String
    public init(certificate: String) { self.certificate = certificate }
}

// MARK: Peer renewal (SPEC §7, §8)

public struct RenewalRequest: Codable, Sendable {
    public var renewKeys: Bool?
    public init(renewKeys: Bool?) { self.renewKeys = renewKeys }
}

public struct RenewalResponse: Codable, Sendable, Equatable {
    public var id: Int
    public var keysRenewed: Bool
    public var keyAlias: String
    public var csr: String
    public init(id: Int, keysRenewed: Bool, keyAlias: String, csr: String) {
        self.id = id
        self.keysRenewed = keysRenewed
        self.keyAlias = keyAlias
        self.csr = csr
    }
}
