import Foundation
import SignPeerCore
import SignPeerCrypto
import SignPeerPostgres
import SignPeerStore

/// The PKCS#12 bytes of a `KeystoreCryptoToken`'s file, replaced atomically (temporary file,
/// fsync, rename, fsync of the folder). File I/O runs through ``BlockingWork``, never on the
/// cooperative pool. (A `KeystoreInConfigCryptoToken` keeps one row per key, ``TokenStorage``.)
enum KeyStoreStorage {
    static func load(path: String) async throws -> [UInt8]? {
        try await BlockingWork.run {
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SignPeerError.internalError("The key store file cannot be read.")
            }
            return Array(data)
        }
    }

    static func save(_ bytes: [UInt8], path: String) async throws {
        try await BlockingWork.run { try writeAtomically(bytes, to: path) }
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw SignPeerError.internalError("The key store file cannot be written.") }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard result > 0 else {
                close(fd)
                unlink(temporary)
                throw SignPeerError.internalError("The key store file cannot be written.")
            }
            written += result
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw SignPeerError.internalError("The key store file cannot be replaced.")
        }
        let directory = open(folder.isEmpty ? "." : folder, O_RDONLY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}

extension KeyStoreStorage {
    /// PKCS#12 encryption costs one PBKDF2 derivation per bag: run it through ``BlockingWork``,
    /// never on the cooperative pool.
    static func encode(_ store: PKCS12KeyStore, code: String) async throws -> [UInt8] {
        try await BlockingWork.run { try store.encode(password: code) }
    }

    static func decode(_ bytes: [UInt8], code: String) async throws -> PKCS12KeyStore {
        try await BlockingWork.run { try PKCS12KeyStore.decode(bytes, password: code) }
    }
}
