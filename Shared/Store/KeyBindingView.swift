import SignPeerCore
import SignPeerCrypto

/// How a listed worker is shown to peers (SPEC §5): the one composition of a ``KeyBinding`` from
/// the worker's properties and its token's status, used by the key-binding service's listing and
/// by the renewal service's answer to an install (which has the token status in its own memory).
public enum KeyBindingView {
    /// The key aliases whose status a binding needs from its token.
    public static func wantedAliases(_ worker: WorkerRecord) -> [String] {
        [PropertyName.defaultKey, PropertyName.nextCertSignKey].compactMap(worker.value)
    }

    /// The binding of `listed`; `status` is its token's status (nil: unknown, shown as offline).
    public static func binding(
        _ listed: TokenHolders.Listed, status: TokenStatusResponse.Token?, includeChain: Bool,
        certificates: CertificateCache
    ) -> KeyBinding {
        let worker = listed.worker
        let defaultKey = worker.value(PropertyName.defaultKey)
        let nextKey = worker.value(PropertyName.nextCertSignKey)
        let keys = Dictionary((status?.keys ?? []).map { ($0.alias, $0) }, uniquingKeysWith: { first, _ in first })
        let keyAlias: String? =
            if let defaultKey, keys[defaultKey] != nil { defaultKey }
            else if let nextKey, keys[nextKey] != nil { nextKey }
            else { defaultKey }
        let key = keyAlias.flatMap { keys[$0] }
        let active = (status?.active ?? false) && key != nil

        let chain = worker.value(PropertyName.signerCertificateChain).flatMap(certificates.certificates)
        let signer = worker.value(PropertyName.signerCertificate).flatMap(certificates.certificates)?.first
            ?? chain?.first
        let issued = worker.isTrue(PropertyName.peersIssued) && signer != nil
        return KeyBinding(
            id: worker.id, name: worker.name,
            status: worker.isTrue(PropertyName.disabled) ? "DISABLED" : "ACTIVE",
            cryptoTokenId: listed.tokenWorker.id, cryptoTokenName: listed.tokenWorker.name,
            cryptoTokenActive: active, keyAlias: keyAlias, nextKeyAlias: nextKey,
            keyAlgorithm: key?.algorithm, keySpecification: key?.specification, subjectKeyId: key?.subjectKeyId,
            certificateFingerprint: issued ? signer?.sha1Fingerprint : nil,
            certificateFingerprintSha256: issued ? signer?.sha256Fingerprint : nil,
            certificateNotAfter: signer.map { RFC3339.string(from: $0.notAfter) },
            certificateChain: includeChain && issued ? (chain ?? signer.map { [$0] })?.map(\.pem).joined() : nil)
    }
}
