import Synchronization

/// A thread-safe dictionary with a size bound, for values that are costly to make and cheap to
/// make again (parsed certificates, client identities, role answers): when it is full it is
/// cleared, so memory stays bounded whatever clients send, without bookkeeping per entry.
public final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])
    public let capacity: Int

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    public subscript(key: Key) -> Value? { entries.withLock { $0[key] } }

    /// Stores `value`, first clearing the cache when it is full.
    public func set(_ value: Value, for key: Key) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
    }

    /// The cached value, or the one `make` returns (cached). `make` runs outside the lock.
    public func value(for key: Key, orMake make: () throws -> Value) rethrows -> Value {
        if let cached = self[key] { return cached }
        let value = try make()
        set(value, for: key)
        return value
    }

    public func removeAll() { entries.withLock { $0.removeAll() } }

    public var count: Int { entries.withLock { $0.count } }
}
