import Logging
import ServiceLifecycle
import SignPeerCore
import SignPeerPostgres
import SignPeerServer
import SignPeerStore

/// Writes refused requests through the ``RefusalLedger``: one `PEER_REQUEST_DENIED` audit row
/// (with `count`, the refusals it stands for) and, for `peer_not_authorized`, the registry row's
/// batched request count, in one transaction; and runs as a service that writes the counts of
/// windows that ended (every second) and everything pending at shutdown, so the registry's
/// request counts stay exact.
struct RefusalRecorder: Service {
    let ledger: RefusalLedger
    /// Its pending accepted requests of a certificate are written before that certificate's refusal.
    let accepted: IncomingRecorder
    let database: PostgresClient
    let logger: Logger

    /// Records one refused request and returns `error`, to be thrown.
    func refuse(
        _ error: SignPeerError, principal: Principal, issuerMatch: String, path: String, remoteAddress: String,
        peerProtocol: String = "json", sourceId: Int32? = nil, logger: Logger
    ) async throws -> SignPeerError {
        let refusal = RefusalLedger.Refusal(
            reason: error.code, principal: principal, issuerMatch: issuerMatch, path: path, remoteAddress: remoteAddress,
            peerProtocol: peerProtocol, sourceId: sourceId)
        if let pending = accepted.endWindow(of: principal, issuerMatch: issuerMatch) {
            try await accepted.write(pending)
        }
        if let write = await ledger.refused(refusal) {
            try await self.write(write, logger: logger)
        }
        return error
    }

    /// Writes what is still pending for an accepted certificate, before its request is recorded.
    func accepted(_ principal: Principal, logger: Logger) async throws {
        for refusal in await ledger.accepted(fingerprint: principal.fingerprintSHA256) {
            try await write(refusal, logger: logger)
        }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await writeAll(await ledger.due())
            }
        }
        let pending = await ledger.drain()
        // In a task of its own: a shutdown that escalated to cancellation must not cancel the
        // last writes (a cancelled task gets no database connection).
        await Task { await writeAll(pending) }.value
    }

    private func writeAll(_ refusals: [RefusalLedger.Refusal]) async {
        for refusal in refusals {
            do { try await write(refusal, logger: logger) } catch {
                logger.warning("refused requests not recorded yet", metadata: ["error": "\(error)"])
            }
        }
    }

    private func write(_ refusal: RefusalLedger.Refusal, logger: Logger) async throws {
        logger.notice(
            "client request refused",
            metadata: [
                "code": .string(refusal.reason.rawValue), "subject": .string(refusal.principal.subjectDN),
                "count": .stringConvertible(refusal.count),
            ])
        do {
            try await database.withTransaction { connection in
                if refusal.reason == .peerNotAuthorized {
                    try await IncomingConnectionRegistry.recordRefused(
                        refusal.principal, issuerMatch: refusal.issuerMatch, remoteAddress: refusal.remoteAddress,
                        count: refusal.count, sourceId: refusal.sourceId, on: connection)
                }
                try await AuditLog.append(
                    AuditEvent(
                        .peerRequestDenied, outcome: .failure, principal: refusal.principal,
                        details: [
                            "reason": refusal.reason.rawValue, "path": refusal.path,
                            "remoteAddress": refusal.remoteAddress, "count": "\(refusal.count)",
                            "protocol": refusal.peerProtocol,
                        ]), on: connection)
            }
        } catch {
            await ledger.unwritten(refusal)
            throw error
        }
    }
}
