import Foundation

/// A failed `openssl` run, with its arguments, exit status and standard error.
public struct OpenSSLCommandError: Error, CustomStringConvertible {
    public var arguments: [String]
    public var status: Int32
    public var standardError: String

    public var description: String {
        "openssl \(arguments.joined(separator: " ")) exited with \(status): \(standardError)"
    }
}

/// Runs the `openssl` command-line tool from `PATH` and returns its standard output.
///
/// Tests use `openssl` as the independent reference: it generates test certificates and states
/// what their fields are, so SignPeer's parsing is checked against another implementation rather
/// than against itself.
///
/// - Throws: ``OpenSSLCommandError`` when `openssl` exits with a non-zero status.
@discardableResult
public func openssl(_ arguments: [String], input: String? = nil, in directory: URL? = nil) throws -> String {
    let result = try ProcessRunner.run(
        "openssl", arguments, input: input.map { Data($0.utf8) }, currentDirectory: directory?.path)
    guard result.status == 0 else {
        throw OpenSSLCommandError(arguments: arguments, status: result.status, standardError: result.stderr)
    }
    return result.stdout
}

/// The same for async tests: `openssl` is waited for on a thread of its own, so tests running in
/// parallel never block the cooperative pool.
@discardableResult
public func openssl(_ arguments: [String], input: String? = nil, in directory: URL? = nil) async throws -> String {
    let result = try await ProcessRunner.run(
        "openssl", arguments, input: input.map { Data($0.utf8) }, currentDirectory: directory?.path)
    guard result.status == 0 else {
        throw OpenSSLCommandError(arguments: arguments, status: result.status, standardError: result.stderr)
    }
    return result.stdout
}
