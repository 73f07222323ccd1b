import SignPeerServer

/// `SIGNPEER_PEER_SOURCE_ID`: this deployment's sourceId in the EJBCA peer protocol
/// (0...2147483647). Unset, it is derived from the database (``EJBCAPeerNode``).
struct EJBCAPeerConfiguration: Sendable {
    var sourceId: Int32?

    init(environment: EnvironmentReader) throws {
        if environment.optionalString("SIGNPEER_PEER_SOURCE_ID") != nil {
            sourceId = Int32(try environment.int("SIGNPEER_PEER_SOURCE_ID", default: 0, range: 0...Int(Int32.max)))
        }
    }
}
