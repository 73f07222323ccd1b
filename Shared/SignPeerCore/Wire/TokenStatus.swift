/// The one batched call the key-binding service makes to the renewal service per listing
/// (`POST /internal/v1/tokens/status`): for each crypto token, is it active, and what is known
/// about the named key aliases. One call per listing, never one per worker.
public struct TokenStatusRequest: Codable, Sendable, Equatable {
    public struct Token: Codable, Sendable, Equatable {
        /// The worker holding the token (the worker itself, or its `CRYPTOTOKEN` worker).
        public var workerId: Int
        public var aliases: [String]
        public init(workerId: Int, aliases: [String]) {
            self.workerId = workerId
            self.aliases = aliases
        }
    }

    public var tokens: [Token]
    public init(tokens: [Token]) { self.tokens = tokens }
}

public struct TokenStatusResponse: Codable, Sendable, Equatable {
    public struct Key: Codable, Sendable, Equatable {
        public var alias: String
        public var algorithm: String?
        public var specification: String?
        public var subjectKeyId: String?
        public init(alias: String, algorithm: String?, specification: String?, subjectKeyId: String?) {
            self.alias = alias
            self.algorithm = algorithm
            self.specification = specification
            self.subjectKeyId = subjectKeyId
        }
    }

    public struct Token: Codable, Sendable, Equatable {
        public var workerId: Int
        public var active: Bool
        /// The requested aliases that exist in the token (empty when the token is offline).
        public var keys: [Key]
        public init(workerId: Int, active: Bool, keys: [Key]) {
            self.workerId = workerId
            self.active = active
            self.keys = keys
        }
    }

    public var tokens: [Token]
    public init(tokens: [Token]) { self.tokens = tokens }
}
