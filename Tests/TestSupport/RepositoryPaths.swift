import Foundation

/// Where the repository and the built executables are, seen from a running test.
public enum RepositoryPaths {
    /// The repository root (found from this file's path at compile time).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The folder holding the built executables: `SIGNPEER_BIN_DIR`, or the folder of the test
    /// bundle itself (SwiftPM puts products side by side).
    public static let binaries: String = {
        if let dir = ProcessInfo.processInfo.environment["SIGNPEER_BIN_DIR"], !dir.isEmpty { return dir }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("signpeer-gateway").path) {
                return url.path
            }
        }
        return root + "/.build/debug"
    }()
}
