import SignPeerPKCS11

/// Small blocking file reads of the PKCS#11 token setup (`ATTRIBUTESFILE`), off the cooperative pool.
enum PKCS11Blocking {
    private static let files = PKCS11Executor(name: "signpeer-pkcs11-files", maximumThreads: 1)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await files.run(timeout: .seconds(30), work)
    }
}
