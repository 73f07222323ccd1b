/// A configuration value that cannot be used. Services print it as one line naming the variable
/// and exit before opening any port (SPEC §2).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var variable: String
    public var message: String

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    public var description: String { "\(variable): \(message)" }
}
