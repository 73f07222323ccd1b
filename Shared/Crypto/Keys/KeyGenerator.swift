/// Key generation for async code: runs ``PrivateKey/generate(_:)`` through ``BlockingWork``,
/// never on the cooperative pool, so a slow RSA key delays only the request that asked for it.
/// Generation is not cancellable once started.
public enum KeyGenerator {
    public static func generate(_ spec: KeyGenerationSpec) async throws -> PrivateKey {
        try await BlockingWork.run { try PrivateKey.generate(spec) }
    }
}
