import Foundation
import Hummingbird
import Metrics
import SignPeerCore
import SignPeerCrypto
import SignPeerPeerProtocol
import SignPeerServer
import SignPeerStore

/// `POST /signserver/peer/v1`, the binary front door EJBCA's Peer Connector talks to (SPEC §12),
/// with SignServer's order of checks (EJBCA-PEER-PROTOCOL.md §1.4): the client certificate (the
/// TLS handshake and ``AuthenticationMiddleware``), `PEERS_INCOMING_ENABLED`, the frame, the
/// incoming-connection registry (recorded **before** the role check, so an unknown CA can be
/// authorized from its row), the Peer System role, then the message.
///
/// Refusals are 401 `Unauthorized` (nothing recorded while incoming connections are off); a body
/// that is not a frame is 400 and a body over 1 MiB is 413, both with nothing changed; every
/// handled message is `200 application/octet-stream` with one frame.
struct EJBCAPeerEndpoint: Sendable {
    static let path = "/signserver/peer/v1"

    let recorder: IncomingRecorder
    let incoming: IncomingSwitch
    let refusals: RefusalRecorder
    let dispatcher: EJBCAPeerDispatcher
    let replies: EJBCAPeerReplyStore
    let node: EJBCAPeerNode

    func handle(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        var frame: PeerFrame?
        do {
            let response = try await respond(request, context: context, frame: &frame)
            Self.count(frame, outcome: response.outcome)
            return response.http
        } catch let refusal as Refusal {
            Self.count(frame, outcome: refusal.error.code.rawValue)
            // SignServer answers every refusal with 401 (EJBCA shows its reason phrase), where the
            // JSON peer API answers these codes with their status of the table.
            var response = JSONResponse.error(refusal.error)
            response.status = .unauthorized
            return response
        } catch {
            Self.count(frame, outcome: (error as? SignPeerError)?.code.rawValue ?? "error")
            throw error
        }
    }

    private func respond(_ request: Request, context: GatewayRequestContext, frame parsedFrame: inout PeerFrame?)
        async throws -> (http: Response, outcome: String)
    {
        let principal = try context.requirePrincipal()
        // The switch and the role come from caches and refusals are folded (SPEC §11 "Floods"),
        // so a refused CA costs look-ups, not a database write per request.
        guard try await incoming.isEnabled() else { throw try await deny(.incomingDisabled, principal, nil, context) }
        let body: [UInt8]
        let frame: PeerFrame
        do {
            body = Array(try await request.body.collect(upTo: context.maxUploadSize).readableBytesView)
            frame = try PeerFrame(decoding: body)
        } catch let error as PeerProtocolError {
            // Nothing is recorded for a body that is not a frame.
            throw SignPeerError.invalidRequest("The body is not an EJBCA peer protocol frame: \(error).")
        }
        parsedFrame = frame
        // The refusal of an unauthorized CA writes its registry row (batched), so it can be
        // authorized from there; an accepted CA's row is written with its sourceId.
        guard principal.hasRole(.peerSystem) else { throw try await deny(.notAuthorized, principal, frame, context) }
        try await refusals.accepted(principal, logger: context.logger)
        guard
            try await recorder.record(
                principal, issuerMatch: context.issuerMatch, remoteAddress: context.remoteAddress, sourceId: frame.sourceId)
        else {
            await incoming.remember(false)
            throw try await deny(.incomingDisabled, principal, frame, context)
        }

        let peerRequest = try EJBCAPeerRequest(frame)
        guard let bindingID = peerRequest.changedBinding else {
            let answer = try await dispatcher.answer(peerRequest, context)
            return (Self.octetStream(try encode(answer.message)), answer.outcome)
        }
        let key = EJBCAPeerReplyStore.Key(
            clientFingerprint: principal.fingerprintSHA256, sourceId: frame.sourceId, messageId: frame.messageId)
        switch try await replies.claim(key, requestSHA256: Digest.sha256.hex(of: body)) {
        case .stored(let reply):
            context.logger.notice(
                "repeated EJBCA peer request answered with the stored first answer",
                metadata: ["type": .string(frame.typeName), "messageId": .stringConvertible(frame.messageId)])
            return (Self.octetStream(reply), "replayed")
        case .owner:
            // In a task of its own, which the request's cancellation does not reach: when EJBCA
            // gives up after its read timeout and closes the connection, the operation still
            // finishes and its answer is stored for the retry that is already waiting for it.
            let owner = Task { [self] in
                do {
                    let answer = try await dispatcher.answer(peerRequest, context)
                    let reply = try encode(answer.message)
                    try await replies.complete(key, reply: reply, workerID: bindingID)
                    return (Self.octetStream(reply), answer.outcome)
                } catch {
                    await replies.abandon(key)
                    throw error
                }
            }
            return try await owner.value
        }
    }

    private func encode(_ message: some PeerMessage) throws -> [UInt8] {
        try PeerFrame(message, sourceId: node.sourceId, messageId: node.nextMessageId()).encoded()
    }

    static func octetStream(_ bytes: [UInt8]) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/octet-stream", .contentLength: String(bytes.count), .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    enum Reason {
        case incomingDisabled, notAuthorized
    }

    /// A refused request, answered with 401 and the error's JSON body.
    struct Refusal: Error {
        let error: SignPeerError
    }

    /// Logs and audits a refused request through the same ``RefusalRecorder`` as the JSON API
    /// (`PEER_REQUEST_DENIED`, folded per certificate and reason), and returns the refusal to throw.
    private func deny(_ reason: Reason, _ principal: Principal, _ frame: PeerFrame?, _ context: GatewayRequestContext)
        async throws -> Refusal
    {
        let error =
            switch reason {
            case .incomingDisabled: PeerAccessMiddleware.incomingDisabled
            case .notAuthorized: PeerAccessMiddleware.notAuthorized
            }
        return Refusal(
            error: try await refusals.refuse(
                error, principal: principal, issuerMatch: context.issuerMatch, path: Self.path,
                remoteAddress: context.remoteAddress, peerProtocol: "ejbca", sourceId: frame?.sourceId,
                logger: context.logger))
    }

    /// `signpeer_peer_requests_total{protocol="ejbca"}`, by message type and outcome.
    static func count(_ frame: PeerFrame?, outcome: String) {
        Counter(
            label: "signpeer_peer_requests_total",
            dimensions: [("operation", EJBCAPeerRequest.operation(frame)), ("outcome", outcome), ("protocol", "ejbca")]
        ).increment()
    }
}
