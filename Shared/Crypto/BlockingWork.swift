import NIOPosix

/// Where blocking work runs — key generation, PKCS#12 key derivation, CSR and test signing, key
/// store files: NIO's shared `NIOThreadPool` (one thread per core), never Swift's cooperative
/// pool, whose one thread per core a single RSA-4096 generation would block for seconds
/// (docs/ARCHITECTURE.md, "Blocking calls stall everything"). The awaiting task is suspended
/// meanwhile; work that has started is not cancelled.
public enum BlockingWork {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
