import Configuration
import Foundation

/// Reads `SIGNPEER_*` environment variables with typed defaults, through swift-configuration's
/// `EnvironmentVariablesProvider` (which keeps the internal credential redacted in its
/// descriptions).
///
/// Each accessor names its variable in the ``ConfigurationError`` it throws, so a bad value stops
/// the process with a one-line error an operator can act on. An empty value counts as unset.
public struct EnvironmentReader: Sendable {
    private let reader: ConfigReader

    /// Variables whose values are secrets.
    static let secrets: Set<String> = ["SIGNPEER_INTERNAL_TOKEN"]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        reader = ConfigReader(
            provider: EnvironmentVariablesProvider(environmentVariables: values, secretsSpecifier: .specific(Self.secrets)))
    }

    /// The raw value, or `nil` when unset or blank. `name` is the variable's exact name.
    public func optionalString(_ name: String) -> String? {
        guard
            let value = reader.string(forKey: ConfigKey([name]), isSecret: Self.secrets.contains(name))?
                .trimmingCharacters(in: .whitespacesAndNewlines),
            !value.isEmpty
        else { return nil }
        return value
    }

    public func string(_ name: String, default defaultValue: String) -> String {
        optionalString(name) ?? defaultValue
    }

    public func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = optionalString(name) else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(
                variable: name,
                message: "expected an integer in \(range.lowerBound)...\(range.upperBound), got '\(raw)'")
        }
        return value
    }

    public func port(_ name: String, default defaultValue: Int) throws -> Int {
        try int(name, default: defaultValue, range: 1...65535)
    }

    public func seconds(_ name: String, default defaultValue: Duration, range: ClosedRange<Int>) throws -> Duration {
        guard optionalString(name) != nil else { return defaultValue }
        return .seconds(try int(name, default: 0, range: range))
    }

    /// A host name or IP literal to bind to or call.
    public func host(_ name: String, default defaultValue: String) throws -> String {
        let value = string(name, default: defaultValue)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-:_[]"))
        guard value.unicodeScalars.allSatisfy(allowed.contains), value.utf8.count <= 253 else {
            throw ConfigurationError(variable: name, message: "not a valid host name or address: '\(value)'")
        }
        return value
    }

    /// An `http://` base URL without a trailing slash.
    public func httpURL(_ name: String, default defaultValue: String) throws -> String {
        var value = string(name, default: defaultValue)
        while value.hasSuffix("/") { value.removeLast() }
        guard let url = URL(string: value), url.scheme == "http" || url.scheme == "https",
            url.host != nil, url.query == nil
        else {
            throw ConfigurationError(variable: name, message: "expected an http(s):// URL, got '\(value)'")
        }
        return value
    }

    /// A path to a file that must exist and be readable.
    public func readableFile(_ name: String, default defaultValue: String) throws -> String {
        let path = string(name, default: defaultValue)
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ConfigurationError(variable: name, message: "cannot read file '\(path)'")
        }
        return path
    }

    public func oneOf(_ name: String, default defaultValue: String, allowed: [String]) throws -> String {
        let value = string(name, default: defaultValue).lowercased()
        guard allowed.contains(value) else {
            throw ConfigurationError(
                variable: name,
                message: "expected one of \(allowed.joined(separator: ", ")), got '\(value)'")
        }
        return value
    }
}
