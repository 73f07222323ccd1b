import SignPeerCore

/// One security-relevant event (SPEC §10), written in the same transaction as the change it
/// records. `details` never holds secrets (no PINs, no private keys).
public struct AuditEvent: Sendable {
    /// Stable event names; `auditlog -list -event` filters by them.
    public struct Name: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
    }

    public enum Outcome: String, Sendable { case success = "SUCCESS", failure = "FAILURE" }

    public var name: Name
    public var outcome: Outcome
    public var principal: Principal?
    public var workerID: Int?
    public var workerName: String?
    /// Small key/value facts about the event, stored as sorted JSON.
    public var details: [String: String]

    public init(
        _ name: Name, outcome: Outcome = .success, principal: Principal?, workerID: Int? = nil,
        workerName: String? = nil, details: [String: String] = [:]
    ) {
        self.name = name
        self.outcome = outcome
        self.principal = principal
        self.workerID = workerID
        self.workerName = workerName
        self.details = details
    }
}

extension AuditEvent.Name {
    public static let peerRequestDenied: Self = "PEER_REQUEST_DENIED"
    public static let ruleAdded: Self = "RULE_ADDED"
    public static let ruleRemoved: Self = "RULE_REMOVED"
    public static let incomingCleared: Self = "INCOMING_CONNECTION_CLEARED"
    public static let propertySet: Self = "PROPERTY_SET"
    public static let propertyRemoved: Self = "PROPERTY_REMOVED"
    public static let workerRemoved: Self = "WORKER_REMOVED"
    public static let tokenActivated: Self = "TOKEN_ACTIVATED"
    public static let tokenDeactivated: Self = "TOKEN_DEACTIVATED"
    public static let tokenActivationFailed: Self = "TOKEN_ACTIVATION_FAILED"
    public static let keyGenerated: Self = "KEY_GENERATED"
    public static let keyRemoved: Self = "KEY_REMOVED"
    public static let csrGenerated: Self = "CSR_GENERATED"
    public static let certificateInstalled: Self = "CERTIFICATE_INSTALLED"
    public static let certificateRefused: Self = "CERTIFICATE_REFUSED"
}
