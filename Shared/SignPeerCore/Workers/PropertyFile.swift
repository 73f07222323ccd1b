/// A SignServer-style property file (`signpeer setproperties <file>`, SPEC §9.1): the keys of
/// a Java `.properties` file (``JavaProperties``) read as SignPeer operations. Parsing is pure;
/// ``ConfigurationPlan`` groups the operations per worker, and the key-binding service applies
/// the plan in one transaction. A bad line rejects the whole file with its physical line number.
///
/// - `WORKERGENID<n>.<PROP>=<value>`: a new worker; all lines with the same `<n>` go to it.
/// - `WORKER<id-or-name>.<PROP>=<value>`: set a property of an existing (or, with a numeric id and
///   a `NAME`, a new) worker.
/// - `-WORKER<id-or-name>.<PROP>` (with or without a value): remove a property.
/// - `GLOB.<PROP>=<value>` / `-GLOB.<PROP>`: global properties.
/// - An empty value removes the property (SPEC §3: blank means absent).
public struct PropertyFile: Sendable, Equatable, Codable {
    public enum Target: Sendable, Equatable, Hashable, Codable {
        case generated(Int)
        case worker(String)
        case global
    }

    public struct Operation: Sendable, Equatable, Codable {
        public var line: Int
        public var target: Target
        public var property: String
        /// `nil` removes the property.
        public var value: String?

        public init(line: Int, target: Target, property: String, value: String?) {
            self.line = line
            self.target = target
            self.property = property
            self.value = value
        }
    }

    public var operations: [Operation]

    public init(operations: [Operation]) { self.operations = operations }

    public static let maximumSize = 1024 * 1024

    public init(parsing text: String) throws(SignPeerError) {
        guard text.utf8.count <= Self.maximumSize else {
            throw SignPeerError.requestTooLarge("The property file is larger than 1 MiB.")
        }
        var operations: [Operation] = []
        for entry in try JavaProperties.entries(text) {
            operations.append(try Self.operation(entry))
        }
        self.operations = operations
    }

    /// The SignPeer meaning of one `key=value` entry.
    static func operation(_ entry: JavaProperties.Entry) throws(SignPeerError) -> Operation {
        func fail(_ why: String) -> SignPeerError {
            SignPeerError.invalidProperty("Line \(entry.line): \(why).")
        }
        var key = Substring(entry.key)
        let remove = key.hasPrefix("-")
        if remove { key = key.dropFirst() }
        guard let dot = key.firstIndex(of: ".") else {
            throw fail(
                "expected WORKER<id or name>.<PROPERTY>, WORKERGENID<n>.<PROPERTY> or GLOB.<PROPERTY>, not '\(entry.key.prefix(64))'")
        }
        let originalTarget = key[..<dot]
        let targetText = originalTarget.uppercased()
        let rawProperty = key[key.index(after: dot)...]
        let property: String
        do {
            property = try PropertyName.canonical(String(rawProperty))
        } catch {
            throw fail("invalid property name '\(rawProperty.prefix(64))'")
        }
        let target: Target
        if targetText == "GLOB" || targetText == "GLOBAL" {
            target = .global
        } else if targetText.hasPrefix("WORKERGENID") {
            guard !remove, let n = Int(targetText.dropFirst("WORKERGENID".count)), n >= 0, n < 1_000_000 else {
                throw fail("WORKERGENID needs a number and a value")
            }
            target = .generated(n)
        } else if targetText.hasPrefix("WORKER"), targetText.count > "WORKER".count {
            let reference = String(originalTarget.dropFirst("WORKER".count))
            guard WorkerReference.isValid(reference) else { throw fail("invalid worker reference '\(reference.prefix(64))'") }
            target = .worker(reference)
        } else {
            throw fail("unknown target '\(originalTarget.prefix(64))'")
        }
        return Operation(line: entry.line, target: target, property: property, value: remove ? nil : entry.value)
    }
}

/// A worker named on the command line or in a property file: its numeric id or its NAME.
public enum WorkerReference {
    public static func isValid(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count)
            && text.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }

    /// The id when the reference is all digits.
    public static func id(_ text: String) -> Int? {
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let id = Int(text), id > 0, id <= Int(Int32.max) else { return nil }
        return id
    }
}
