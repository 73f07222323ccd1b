import SignPeerServer

/// The renewal service's PKCS#11 settings (SPEC §6.1).
struct PKCS11Configuration: Sendable {
    /// `SIGNPEER_PKCS11_LIBRARIES`: `Name=/path;Name2=/path2`, what `SHAREDLIBRARYNAME` refers to.
    var libraries: [String: String] = [:]
    /// `SIGNPEER_PKCS11_CALL_TIMEOUT` (seconds, default 15, under EJBCA's 20 s read timeout): how
    /// long a request waits for one HSM operation before it answers 503.
    var callTimeout: Duration = .seconds(15)

    init(libraries: [String: String] = [:], callTimeout: Duration = .seconds(15)) {
        self.libraries = libraries
        self.callTimeout = callTimeout
    }

    init(environment: EnvironmentReader) throws {
        callTimeout = try environment.seconds("SIGNPEER_PKCS11_CALL_TIMEOUT", default: callTimeout, range: 1...600)
        guard let list = environment.optionalString("SIGNPEER_PKCS11_LIBRARIES") else { return }
        for item in list.split(separator: ";") where !item.trimmingWhitespace().isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
            guard parts.count == 2, !parts[0].isEmpty, parts[1].hasPrefix("/") else {
                throw ConfigurationError(
                    variable: "SIGNPEER_PKCS11_LIBRARIES",
                    message: "expected Name=/absolute/path;Name2=/path2, got '\(item.prefix(80))'")
            }
            libraries[parts[0]] = parts[1]
        }
    }
}
