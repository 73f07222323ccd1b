/// A worker as stored: id, NAME, TYPE and its properties (canonical names; blank values are
/// never stored, SPEC §3). Read by the key-binding service (configuration, listing) and the
/// renewal service (tokens, keys).
public struct WorkerRecord: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var type: WorkerType
    public var properties: [String: String]

    public init(id: Int, name: String, type: WorkerType, properties: [String: String]) {
        self.id = id
        self.name = name
        self.type = type
        self.properties = properties
    }

    public func value(_ property: String) -> String? {
        guard let value = properties[property], !PropertyName.isAbsent(value) else { return nil }
        return value
    }

    public func isTrue(_ property: String) -> Bool { PropertyName.isTrue(properties[property]) }

    /// SPEC §1: a worker has its own token when `CRYPTOTOKEN_IMPLEMENTATION_CLASS` is set, or is a
    /// `CRYPTO_WORKER` (whose whole job is to hold one).
    public var hasInternalToken: Bool {
        value(PropertyName.cryptoTokenImplementation) != nil || type == .cryptoWorker
    }

    /// The configuration as `getconfig` shows it: secrets masked.
    public var maskedConfig: WorkerConfig {
        var shown = properties
        for key in shown.keys where PropertyName.secret.contains(key) { shown[key] = WorkerConfig.masked }
        return WorkerConfig(id: id, name: name, type: type.rawValue, properties: shown)
    }
}
