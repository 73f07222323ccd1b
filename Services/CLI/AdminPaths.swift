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

    // MARK: Crypto tokens and keys

    /// The alias `testkey` sends when none is given; the renewal service resolves it to the
    /// worker's `DEFAULTKEY`.
    static let defaultKeyAlias = "_default"

    /// `/admin/v1/workers/{ref}/token/activate`.
    static func tokenActivate(_ worker: String) throws(CLIError) -> String {
        try self.worker(worker) + "/token/activate"
    }

    /// `/admin/v1/workers/{ref}/token/deactivate`.
    static func tokenDeactivate(_ worker: String) throws(CLIError) -> String {
        try self.worker(worker) + "/token/deactivate"
    }

    /// `/admin/v1/workers/{ref}/token/keys`.
    static func tokenKeys(_ worker: String) throws(CLIError) -> String {
        try self.worker(worker) + "/token/keys"
    }

    /// `/admin/v1/workers/{ref}/token/keys/{alias}`; aliases follow the worker reference rules.
    static func tokenKey(_ worker: String, alias: String) throws(CLIError) -> String {
        try tokenKeys(worker) + "/" + segment(alias, what: "key alias")
    }

    /// `/admin/v1/workers/{ref}/token/keys/{alias}/test`.
    static func keyTest(_ worker: String, alias: String) throws(CLIError) -> String {
        try tokenKey(worker, alias: alias) + "/test"
    }

    /// `/admin/v1/workers/{ref}/csr`.
    static func certificateRequest(_ worker: String) throws(CLIError) -> String {
        try self.worker(worker) + "/csr"
    }

    /// `/admin/v1/workers/{ref}/certificate`.
    static func signerCertificate(_ worker: String) throws(CLIError) -> String {
        try self.worker(worker) + "/certificate"
    }

    /// `/admin/v1/workers/{ref}/certificatechain`.
    static func signerCertificateChain(_ worker: String) throws(CLIError) -> String {
        try self.worker(worker) + "/certificatechain"
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
