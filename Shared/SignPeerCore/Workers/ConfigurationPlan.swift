/// What a property file does, worked out before anything is written: per worker (and for the
/// global configuration) the properties to set and remove, whatever order the file's lines
/// come in. It is a pure value, so its rules are unit-tested without a database; the key-binding
/// service only executes it, in one transaction.
///
/// - Lines are grouped by target: `WORKERGENID<n>`, `WORKER<reference>` (case-insensitively, as
///   SignServer upper-cases keys) and `GLOB`, in order of each group's first line.
/// - One value per property and group: a later line for the same property replaces an earlier
///   one, as in Java's `Properties`.
/// - In each group `NAME` comes first and `TYPE` second, so a new worker exists before anything
///   else is set on it (SignServer's own samples put `TYPE` before `NAME`).
/// - A `WORKERGENID<n>` group without a `NAME` is refused, naming the group.
public struct ConfigurationPlan: Sendable, Equatable {
    /// One property to set (`value` not `nil`) or remove.
    public struct Change: Sendable, Equatable {
        /// The physical line the value comes from.
        public var line: Int
        public var property: String
        public var value: String?

        public init(line: Int, property: String, value: String?) {
            self.line = line
            self.property = property
            self.value = value
        }
    }

    /// The lines of one target.
    public struct Group: Sendable, Equatable {
        public var target: PropertyFile.Target
        /// The group's first line, for errors about the group as a whole.
        public var line: Int
        public var changes: [Change]

        public init(target: PropertyFile.Target, line: Int, changes: [Change]) {
            self.target = target
            self.line = line
            self.changes = changes
        }

        /// The group as the file names it: `WORKERGENID1`, `WORKER309`, `GLOB`.
        public var label: String {
            switch target {
            case .global: "GLOB"
            case .generated(let n): "WORKERGENID\(n)"
            case .worker(let reference): "WORKER\(reference)"
            }
        }

        /// The `NAME` line with a non-blank value, which a new worker needs.
        public var name: Change? {
            changes.first { $0.property == PropertyName.name && !PropertyName.isAbsent($0.value) }
        }

        /// For `WORKER<n>` with a numeric id: that id. The worker is created with it when it does
        /// not exist yet and the group has a ``name``.
        public var numberedID: Int? {
            if case .worker(let reference) = target { WorkerReference.id(reference) } else { nil }
        }

        /// The changes other than the ``name`` a creation already applied.
        public var changesAfterCreation: [Change] {
            guard let name else { return changes }
            return changes.filter { $0 != name }
        }
    }

    public var groups: [Group]

    public init(_ file: PropertyFile) throws(SignPeerError) {
        var groups: [Group] = []
        var groupIndex: [PropertyFile.Target: Int] = [:]
        var changeIndex: [PropertyFile.Target: [String: Int]] = [:]
        for operation in file.operations {
            let key = Self.groupKey(operation.target)
            let change = Change(line: operation.line, property: operation.property, value: operation.value)
            guard let index = groupIndex[key] else {
                groupIndex[key] = groups.count
                changeIndex[key] = [operation.property: 0]
                groups.append(Group(target: operation.target, line: operation.line, changes: [change]))
                continue
            }
            if let existing = changeIndex[key]?[operation.property] {
                groups[index].changes[existing] = change
            } else {
                changeIndex[key, default: [:]][operation.property] = groups[index].changes.count
                groups[index].changes.append(change)
            }
        }
        for index in groups.indices {
            groups[index].changes = Self.identityFirst(groups[index].changes)
            if case .generated = groups[index].target, groups[index].name == nil {
                let label = groups[index].label
                throw SignPeerError.invalidProperty(
                    "Line \(groups[index].line): \(label) has no NAME; add \(label).NAME=<name>.")
            }
        }
        self.groups = groups
    }

    /// Worker references are case-insensitive, so `WORKERsigner` and `WORKERSIGNER` are one group.
    static func groupKey(_ target: PropertyFile.Target) -> PropertyFile.Target {
        if case .worker(let reference) = target { return .worker(reference.uppercased()) }
        return target
    }

    /// `NAME`, then `TYPE`, then the rest in file order.
    static func identityFirst(_ changes: [Change]) -> [Change] {
        changes.filter { $0.property == PropertyName.name } + changes.filter { $0.property == PropertyName.type }
            + changes.filter { $0.property != PropertyName.name && $0.property != PropertyName.type }
    }
}
