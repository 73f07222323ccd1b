import Foundation

/// Paths of the admin API (table in `AdminAPI.swift`), built from what the user typed. Worker
/// references and property names become URL path segments, so they are checked here (letters,
/// digits, `_`, `.`, `-`; not `.` or `..`) and percent-encoded.
enum AdminPaths {
    static let root = "/admin/v1"
    static let workers = root + "/workers"
    static let global = root + "/global"
    static let properties = root + "/properties"
    static let reload = root + "/reload"
    static let incoming = root + "/incoming"
    static let incomingClear = incoming + "/clear"
    static let incomingAuthorize = incoming + "/authorize"

    /// `/admin/v1/workers/{ref}`.
    static func worker(_ reference: String) throws(CLIError) -> String {
        workers + "/" + (try segment(reference, what: "worker name or id"))
    }

    /// `/admin/v1/roles/{role}`.
    static func role(_ segment: String) -> String { root + "/roles/" + segment }

    /// A checked, percent-encoded path segment.
    static func segment(_ value: String, what: String) throws(CLIError) -> String {
        guard isValidSegment(value) else {
            throw CLIError("invalid \(what) '\(value)': use letters, digits, '_', '.' and '-'")
        }
        return value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    static func isValidSegment(_ value: String) -> Bool {
        !value.isEmpty && value != "." && value != ".."
            && value.unicodeScalars.allSatisfy { $0.isASCII && allowed.contains($0) }
    }

    private static let allowed = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
    private static let unreserved = allowed.union(CharacterSet(charactersIn: "~"))
}

/// The first argument of `setproperty`, `removeproperty` and `getconfig`: a worker (id or name)
/// or the global configuration (`global` or `GLOB`, any case).
enum ConfigurationTarget: Equatable {
    case global
    case worker(String)

    init(parsing argument: String) throws(CLIError) {
        switch argument.lowercased() {
        case "global", "glob": self = .global
        default:
            _ = try AdminPaths.segment(argument, what: "worker name or id")
            self = .worker(argument)
        }
    }

    /// `/admin/v1/global` or `/admin/v1/workers/{ref}`: the configuration read by `getconfig`.
    var path: String {
        get throws(CLIError) {
            switch self {
            case .global: AdminPaths.global
            case .worker(let reference): try AdminPaths.worker(reference)
            }
        }
    }

    /// `.../properties/{PROP}`.
    func propertyPath(_ property: String) throws(CLIError) -> String {
        try path + "/properties/" + AdminPaths.segment(property, what: "property name")
    }
}
