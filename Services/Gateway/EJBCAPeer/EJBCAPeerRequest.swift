import SignPeerCore
import SignPeerPeerProtocol

/// A parsed, typed request of the EJBCA peer protocol, and what the gateway does with it
/// (SPEC §12). Decoding is pure: a data section that does not fit a type whose fields are used
/// (PREPARE_RENEWAL, UPDATE) is a 400 before anything runs.
enum EJBCAPeerRequest: Sendable {
    case ping
    case status
    case prepareRenewal(PrepareRenewal)
    case update(KeyBindingUpdate)
    /// Answered with an empty list whatever it asks, so its data is not read.
    case authorizationCheck
    /// Any other type name, including response types sent as requests.
    case unknown

    init(_ frame: PeerFrame) throws {
        do {
            switch frame.typeName {
            case Ping.typeName: self = .ping
            case KeyBindingStatusRequest.typeName: self = .status
            case PrepareRenewal.typeName: self = .prepareRenewal(try frame.message(as: PrepareRenewal.self))
            case KeyBindingUpdate.typeName: self = .update(try frame.message(as: KeyBindingUpdate.self))
            case AuthorizationCheck.typeName: self = .authorizationCheck
            default: self = .unknown
            }
        } catch {
            throw SignPeerError.invalidRequest("The \(frame.typeName) data section could not be read: \(error).")
        }
    }

    /// The metrics operation label: the type name for known types, one value for all others
    /// (so garbage type names cannot grow the label set).
    static func operation(_ frame: PeerFrame?) -> String {
        guard let frame else { return "INVALID_FRAME" }
        let known = [
            Ping.typeName, KeyBindingStatusRequest.typeName, PrepareRenewal.typeName, KeyBindingUpdate.typeName,
            AuthorizationCheck.typeName,
        ]
        return known.contains(frame.typeName) ? frame.typeName : "UNKNOWN_MESSAGE_TYPE"
    }

    /// The binding a request that changes state is about; nil for requests that change nothing.
    /// A retry of a state-changing request gets the stored first answer.
    var changedBinding: Int? {
        switch self {
        case .prepareRenewal(let message): Int(message.internalKeyBindingId)
        case .update(let message): Int(message.internalKeyBindingId)
        case .ping, .status, .authorizationCheck, .unknown: nil
        }
    }
}
