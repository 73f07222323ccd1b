import Foundation

/// The SignServer-style arguments of `signpeer auditlog`:
/// `-list [-limit N] [-event E] [-worker W]` or `-verify`.
enum AuditLogArguments: Equatable {
    case list(limit: Int, event: String?, worker: String?)
    case verify

    static let usage = "signpeer auditlog -list [-limit N] [-event E] [-worker W] | -verify"

    static func parse(_ arguments: [String]) throws(CLIError) -> AuditLogArguments {
        guard let first = arguments.first?.lowercased() else { throw CLIError.usage("missing -list or -verify", usage) }
        switch first {
        case "-verify":
            guard arguments.count == 1 else { throw CLIError.usage("-verify takes no options", usage) }
            return .verify
        case "-list":
            var limit = 100
            var event: String?
            var worker: String?
            var rest = arguments.dropFirst()
            while let option = rest.popFirst()?.lowercased() {
                guard let value = rest.popFirst() else { throw CLIError.usage("\(option) needs a value", usage) }
                switch option {
                case "-limit":
                    guard let number = Int(value), (1...10_000).contains(number) else {
                        throw CLIError.usage("-limit must be a number from 1 to 10000", usage)
                    }
                    limit = number
                case "-event": event = value
                case "-worker": worker = value
                default: throw CLIError.usage("unknown option \(option)", usage)
                }
            }
            return .list(limit: limit, event: event, worker: worker)
        default:
            throw CLIError.usage("unknown option \(first)", usage)
        }
    }

    /// The query string of `GET /admin/v1/audit`.
    static func query(limit: Int, event: String?, worker: String?) -> String {
        var items = [URLQueryItem(name: "limit", value: String(limit))]
        if let event { items.append(URLQueryItem(name: "event", value: event)) }
        if let worker { items.append(URLQueryItem(name: "worker", value: worker)) }
        var components = URLComponents()
        components.queryItems = items
        return components.percentEncodedQuery.map { "?" + $0 } ?? ""
    }
}
