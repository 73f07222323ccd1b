import Foundation
import SignPeerCore

/// A worker as stored: id, NAME, TYPE and its properties (canonical names; blank values are
/// never stored, SPEC §3).
struct WorkerRecord: Sendable, Equatable {
    var id: Int
    var name: String
    var type: WorkerType
    var properties: [String: String]

    func value(_ property: String) -> String? {
        guard let value = properties[property], !PropertyName.isAbsent(value) else { return nil }
        return value
    }

    func isTrue(_ property: String) -> Bool { PropertyName.isTrue(properties[property]) }

    /// SPEC §1: a worker has its own token when `CRYPTOTOKEN_IMPLEMENTATION_CLASS` is set, or is a
    /// `CRYPTO_WORKER` (whose whole job is to hold one).
    var hasInternalToken: Bool {
        value(PropertyName.cryptoTokenImplementation) != nil || type == .cryptoWorker
    }

    /// The configuration as `getconfig` shows it: secrets masked.
    var maskedConfig: WorkerConfig {
        var shown = properties
        for key in shown.keys where PropertyName.secret.contains(key) { shown[key] = WorkerConfig.masked }
        return WorkerConfig(id: id, name: name, type: type.rawValue, properties: shown)
    }
}
