import Foundation
import SignPeerCore

/// Files named on the command line (property files, certificates), read whole with one-line
/// errors.
enum InputFiles {
    static func read(_ path: String) throws(CLIError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("cannot read \(path): no such file")
        }
        guard !isDirectory.boolValue else { throw CLIError("cannot read \(path): is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read \(path): permission denied")
        }
        return data
    }

    /// A text file: UTF-8, or ISO 8859-1 as Java properties files traditionally are.
    static func text(_ data: Data) -> String { JavaProperties.decode(data) }

    /// A certificate file as the admin API takes it: PEM text as is, DER bytes base64-encoded.
    static func certificate(_ data: Data) -> String {
        if let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN") { return text }
        return data.base64EncodedString()
    }
}
