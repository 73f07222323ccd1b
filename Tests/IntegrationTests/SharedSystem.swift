import Foundation

/// One running ``SignPeerSystem`` shared by the tests of a suite: started on first use, so a
/// suite pays the start-up once; its processes are stopped when the test process exits.
actor SharedSystem {
    private let name: String
    private var starting: Task<SignPeerSystem, any Error>?

    init(name: String) { self.name = name }

    func get() async throws -> SignPeerSystem {
        if let starting { return try await starting.value }
        let name = name
        let task = Task {
            let system = try await SignPeerSystem(name: name)
            try await system.start()
            return system
        }
        starting = task
        return try await task.value
    }
}
