import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files the CLI writes (certificate requests): created or overwritten, with one-line errors.
enum OutputFiles {
    /// Fails early, before asking the gateway for anything, when `path` obviously cannot be
    /// written: it is a directory, or its directory does not exist.
    static func checkWritable(_ path: String) throws(CLIError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIError("cannot write \(path): is a directory")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var parentIsDirectory: ObjCBool = false
        if !directory.isEmpty,
            !FileManager.default.fileExists(atPath: directory, isDirectory: &parentIsDirectory)
                || !parentIsDirectory.boolValue
        {
            throw CLIError("cannot write \(path): no such directory")
        }
    }

    /// Writes `data` to `path`, creating (mode 0644 before umask) or truncating it.
    static func write(_ data: Data, to path: String) throws(CLIError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw failure(path) }
        defer { close(descriptor) }
        var failed = false
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    return
                }
                offset += written
            }
        }
        if failed { throw failure(path) }
    }

    /// `text` as PEM: as is when it already is PEM, otherwise base64 DER wrapped in
    /// `-----BEGIN <label>-----` lines of 64 characters. Always ends with a newline.
    static func pem(_ text: String, label: String) -> String {
        if text.contains("-----BEGIN") { return text.hasSuffix("\n") ? text : text + "\n" }
        let base64 = text.filter { !$0.isWhitespace }
        var lines = ["-----BEGIN \(label)-----"]
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func failure(_ path: String) -> CLIError {
        CLIError("cannot write \(path): \(String(cString: strerror(errno)))")
    }
}
