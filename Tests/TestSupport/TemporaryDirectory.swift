import Foundation

/// A fresh directory under the system temporary directory, for files a test generates
/// (keys, certificates); call ``remove()`` when done.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(prefix: String = "signpeer-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
