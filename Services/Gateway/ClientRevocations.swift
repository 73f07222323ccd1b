import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import SignPeerCore
import SignPeerCrypto
import SignPeerServer
import Synchronization

/// The CRLs of `SIGNPEER_TLS_CLIENT_CRL` (PEM or DER files, or folders of them), checked on every
/// request — resumed TLS sessions included, since BoringSSL does not re-verify those — and
/// reloaded when a file changes (the service polls modification times every `pollInterval`).
///
/// A CRL counts only when its issuer is a CA of the trust bundle and that CA's signature on it
/// verifies; anything else is logged and ignored. A CRL past its nextUpdate is logged loudly
/// and still applied; with `SIGNPEER_TLS_CRL_STRICT=true` clients of that issuer are refused
/// until a current CRL arrives (401 `revocation_status_unknown`). A file that cannot be read or
/// parsed keeps what it held before, so a CRL being rewritten never un-revokes anyone.
final class ClientRevocations: Service, Sendable {
    enum Status: Equatable { case good, revoked, unknown }

    /// What the loaded CRLs say about one issuer.
    struct IssuerState: Sendable {
        var revoked: Set<String> = []
        /// The latest nextUpdate of this issuer's CRLs; nil when one has none (never stale).
        var nextUpdate: Date? = .distantPast

        func isCurrent(at date: Date) -> Bool { nextUpdate.map { $0 >= date } ?? true }
    }

    private struct FileState: Sendable {
        var stamp: String
        var crls: [CertificateRevocationList]
    }

    let paths: [String]
    let strict: Bool
    let pollInterval: Duration
    private let trustBundle: [Certificate]
    private let logger: Logger
    private let issuers = Mutex<[String: IssuerState]>([:])
    private let files = Mutex<[String: FileState]>([:])
    private let lastStaleWarning = Mutex<ContinuousClock.Instant?>(nil)

    init(paths: [String], strict: Bool, trustBundle: [Certificate], pollInterval: Duration = .seconds(2), logger: Logger) {
        self.paths = paths
        self.strict = strict
        self.trustBundle = trustBundle
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Reads `SIGNPEER_TLS_CLIENT_CRL` (comma-separated paths) and `SIGNPEER_TLS_CRL_STRICT`;
    /// nil when no CRL is configured.
    static func load(environment: EnvironmentReader, clientCAPath: String, logger: Logger) throws -> ClientRevocations? {
        guard let value = environment.optionalString("SIGNPEER_TLS_CLIENT_CRL") else { return nil }
        let paths = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw ConfigurationError(variable: "SIGNPEER_TLS_CLIENT_CRL", message: "no such file or folder: \(path)")
        }
        let strict = try environment.oneOf("SIGNPEER_TLS_CRL_STRICT", default: "false", allowed: ["true", "false"]) == "true"
        let bundle = try Certificate.parseChain(
            pem: (try? String(contentsOfFile: clientCAPath, encoding: .utf8)) ?? "")
        let revocations = ClientRevocations(paths: paths, strict: strict, trustBundle: bundle, logger: logger)
        revocations.reload()
        return revocations
    }

    /// The revocation status of a client certificate, by its normalized serial and issuer.
    func status(serialNumber: String, issuerMatch: String) -> Status {
        guard let state = issuers.withLock({ $0[issuerMatch] }) else { return .good }
        if state.revoked.contains(serialNumber) { return .revoked }
        if strict, !state.isCurrent(at: Date()) { return .unknown }
        return .good
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.pollInterval)
                // Directory listing and file reads are blocking I/O: not on the cooperative pool.
                try? await NIOThreadPool.singleton.runIfActive { self.reload() }
            }
        }
    }

    /// Re-reads the files whose size or modification time changed and rebuilds the issuer table.
    func reload() {
        let found = Self.files(in: paths)
        var changed = false
        var next: [String: FileState] = [:]
        let previous = files.withLock { $0 }
        for (path, stamp) in found {
            if let known = previous[path], known.stamp == stamp {
                next[path] = known
                continue
            }
            changed = true
            do {
                let crls = try CertificateRevocationList.parseFile(
                    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
                next[path] = FileState(stamp: stamp, crls: crls)
                logger.info("client CRL file loaded", metadata: ["file": .string(path), "crls": "\(crls.count)"])
            } catch {
                logger.error(
                    "client CRL file not readable; keeping what it held before",
                    metadata: ["file": .string(path), "error": .string("\(error)")])
                next[path] = FileState(stamp: stamp, crls: previous[path]?.crls ?? [])
            }
        }
        if previous.keys.contains(where: { next[$0] == nil }) { changed = true }
        guard changed || previous.isEmpty else {
            warnAboutStaleCRLs()
            return
        }
        files.withLock { $0 = next }
        rebuild(from: next.values.flatMap(\.crls))
    }

    private func rebuild(from crls: [CertificateRevocationList]) {
        var table: [String: IssuerState] = [:]
        for crl in crls {
            guard trustBundle.contains(where: { crl.isSigned(by: $0) }) else {
                logger.warning(
                    "client CRL ignored: its issuer is not in the trust bundle or its signature does not verify",
                    metadata: ["issuer": .string(crl.issuer.normalized)])
                continue
            }
            var state = table[crl.issuer.matchKey] ?? IssuerState()
            state.revoked.formUnion(crl.revokedSerialNumbers)
            if let latest = state.nextUpdate, let next = crl.nextUpdate {
                state.nextUpdate = max(latest, next)
            } else {
                state.nextUpdate = nil
            }
            table[crl.issuer.matchKey] = state
        }
        issuers.withLock { $0 = table }
        lastStaleWarning.withLock { $0 = nil }
        warnAboutStaleCRLs()
    }

    /// Logged at error level when found and every minute while it lasts: an operator must not
    /// miss it.
    private func warnAboutStaleCRLs() {
        let now = Date()
        let stale = issuers.withLock { $0.filter { !$0.value.isCurrent(at: now) }.map(\.key) }
        guard !stale.isEmpty else { return }
        let due = lastStaleWarning.withLock { last in
            guard last.map({ ContinuousClock.now - $0 >= .seconds(60) }) ?? true else { return false }
            last = ContinuousClock.now
            return true
        }
        guard due else { return }
        for issuer in stale.sorted() {
            logger.error(
                strict
                    ? "client CRL past its nextUpdate: refusing every client certificate of this issuer"
                    : "client CRL past its nextUpdate: still applied, but revocations since are unknown",
                metadata: ["issuer": .string(issuer)])
        }
    }

    /// Every regular file named or inside a named folder, with a size/mtime stamp.
    private static func files(in paths: [String]) -> [String: String] {
        var result: [String: String] = [:]
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            let candidates =
                isDirectory.boolValue
                ? ((try? manager.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.map {
                    path + "/" + $0
                } : [path]
            for file in candidates {
                guard let attributes = try? manager.attributesOfItem(atPath: file),
                    attributes[.type] as? FileAttributeType == .typeRegular
                else { continue }
                let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
                let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                result[file] = "\(size)/\(modified)"
            }
        }
        return result
    }
}
