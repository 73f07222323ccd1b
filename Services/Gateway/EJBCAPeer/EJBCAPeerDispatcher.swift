import Foundation
import SignPeerCore
import SignPeerPeerProtocol

/// Answers an authorized request (EJBCA-PEER-PROTOCOL.md §3.5): PING, the binding listing, the
/// two renewal steps, AUTHORIZATION_CHECK with an empty list (a signer grants no EJBCA access
/// rules), and UNKNOWN_MESSAGE_TYPE_RESPONSE for anything else. Expected failures become
/// GENERIC_ERROR_RESPONSE; transient ones are thrown (HTTP 5xx, which EJBCA retries).
struct EJBCAPeerDispatcher: Sendable {
    let operations: EJBCAPeerOperations

    struct Answer: Sendable {
        var message: any PeerMessage
        /// `ok`, or the SignPeer error code of an error frame (metrics).
        var outcome: String
    }

    func answer(_ request: EJBCAPeerRequest, _ context: GatewayRequestContext) async throws -> Answer {
        switch request {
        case .ping: return Answer(message: PingResponse(), outcome: "ok")
        case .unknown: return Answer(message: UnknownMessageTypeResponse(), outcome: "unknown_message_type")
        case .authorizationCheck: return Answer(message: AuthorizationCheckResponse(authorizedResources: []), outcome: "ok")
        case .status:
            let bindings = try await operations.listing(context)
            return Answer(message: KeyBindingStatusResponse(bindings: bindings.compactMap(Self.record)), outcome: "ok")
        case .prepareRenewal(let message):
            return try await failing(as: .prepareRenewal) {
                let renewal = try await operations.prepareRenewal(
                    id: Int(message.internalKeyBindingId), renewKeys: message.renewKeys, context)
                guard let csr = PEMBlocks.bodies(label: "CERTIFICATE REQUEST", in: Array(renewal.csr.utf8)).first
                    .flatMap({ Self.base64Decoded($0) })
                else { throw SignPeerError.internalError("The renewal service answered an unreadable CSR.") }
                return PrepareRenewalResponse(
                    internalKeyBindingId: message.internalKeyBindingId, keysRenewed: message.renewKeys,
                    certificationRequest: csr, preferredEncoding: .pemCertificates)
            }
        case .update(let message):
            return try await failing(as: .update) {
                try await operations.install(
                    id: Int(message.internalKeyBindingId), certificate: try Self.certificate(of: message), context)
                return KeyBindingUpdateResponse()
            }
        }
    }

    /// Runs `body`; an expected ``SignPeerError`` becomes the error frame of `operation`.
    private func failing(
        as operation: EJBCAPeerFailure.Operation, _ body: () async throws -> any PeerMessage
    ) async throws -> Answer {
        do {
            return Answer(message: try await body(), outcome: "ok")
        } catch let error as SignPeerError where EJBCAPeerFailure.isExpected(error) {
            return Answer(message: EJBCAPeerFailure.response(for: error, in: operation), outcome: error.code.rawValue)
        }
    }

    /// SPEC §7.2 input from an UPDATE: version 0 and encoding 0 are one DER certificate (so
    /// `PEERS_KEEPCHAIN` applies), encoding 1 is a PEM chain, leaf first, whose certificate blocks
    /// are passed on without the text EJBCA writes around them. A missing certificate or a text
    /// without blocks goes to the renewal service as it is, which refuses (and audits) it like the
    /// same body on the JSON API.
    static func certificate(of update: KeyBindingUpdate) throws -> EJBCAPeerOperations.Certificate {
        let bytes = update.certificate ?? []
        switch update.effectiveEncoding {
        case .binaryCertificate: return bytes.isEmpty ? .pemChain("") : .der(bytes)
        case .pemCertificates:
            let blocks = PEMBlocks.bodies(label: "CERTIFICATE", in: bytes)
            return .pemChain(
                blocks.isEmpty ? String(decoding: bytes, as: UTF8.self) : PEMBlocks.canonical(label: "CERTIFICATE", bodies: blocks))
        case .unknown(let value):
            throw SignPeerError.invalidCertificate("Unknown certificate encoding \(value) (0 = DER, 1 = PEM).")
        }
    }

    /// The 12 fields of a status record from the SPEC §5 listing; nulls stay null.
    static func record(_ binding: KeyBinding) -> KeyBindingStatusRecord? {
        guard let id = Int32(exactly: binding.id), let tokenID = Int32(exactly: binding.cryptoTokenId) else { return nil }
        return KeyBindingStatusRecord(
            type: binding.type, id: id, name: binding.name, status: binding.status,
            certificateFingerprint: binding.certificateFingerprint, cryptoTokenId: tokenID,
            cryptoTokenName: binding.cryptoTokenName, cryptoTokenActive: binding.cryptoTokenActive,
            keyAlias: binding.keyAlias, keyAlgorithm: binding.keyAlgorithm, keySpecification: binding.keySpecification,
            subjectKeyId: binding.subjectKeyId)
    }

    static func base64Decoded(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text).map { Array($0) }
    }
}
