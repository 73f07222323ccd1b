import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL cluster for tests, so they run against the real server without any
/// setup outside the test process.
///
/// It uses the server binaries of the highest version under `/usr/lib/postgresql/*/bin`, keeps
/// everything (data, socket, log) in one temporary directory, listens on a free loopback port,
/// trusts every local connection and skips fsync. `initdb` and `pg_ctl` refuse to run as root,
/// so as root they run as the `postgres` system user through `runuser`. The shared cluster is
/// stopped by an `atexit` hook; a test process that crashes leaves it running.
///
/// Most tests use `shared`, started on first use and stopped when the test process exits, and
/// isolate themselves with `createDatabase(name:)`. A test that restarts or stops the server
/// starts its own with `init()`.
public final class TemporaryPostgres: Sendable {
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// libpq conninfo of the database created at start, `signpeer`.
    public let connectionString: String
    /// The directory holding the data directory, the socket and `postgres.log`.
    public let directory: URL

    private let binDirectory: URL
    private let state = Mutex(State())

    private struct State {
        var isStopped = false
        var databaseCount = 0
    }

    /// A command that failed, with what it printed.
    public struct CommandFailure: Error, CustomStringConvertible {
        public var command: String
        public var output: String
        public var description: String { "\(command) failed: \(output)" }
    }

    /// The cluster shared by every test of this process.
    public static var shared: TemporaryPostgres {
        get throws { try sharedCluster.get() }
    }

    private static let sharedCluster: Result<TemporaryPostgres, any Error> = {
        let result = Result { try TemporaryPostgres() }
        if case .success = result {
            atexit { try? TemporaryPostgres.sharedCluster.get().stop() }
        }
        return result
    }()

    /// Creates and starts a new cluster with a database named `signpeer`.
    public init() throws {
        binDirectory = try Self.findBinaries()
        directory = try Self.makeDirectory()
        try Self.run(
            binDirectory.appending(path: "initdb"),
            [
                "-D", Self.dataDirectory(in: directory), "-A", "trust", "-U", "postgres",
                "--no-sync", "-E", "UTF8", "--locale=C",
            ],
            asServerUser: true)
        var failures: [String] = []
        var startedPort: Int?
        for _ in 0..<5 where startedPort == nil {
            let candidate = try Self.freePort()
            do {
                try Self.pgCtl(binDirectory, directory, port: candidate, ["-w", "start"])
                startedPort = candidate
            } catch {
                failures.append("\(error)")
            }
        }
        guard let startedPort else {
            try? FileManager.default.removeItem(at: directory)
            throw CommandFailure(command: "pg_ctl start", output: failures.joined(separator: "\n"))
        }
        port = startedPort
        connectionString = Self.conninfo(port: startedPort, database: "signpeer")
        try Self.run(
            binDirectory.appending(path: "createdb"),
            ["-h", "127.0.0.1", "-p", String(startedPort), "-U", "postgres", "signpeer"],
            asServerUser: false)
    }

    deinit {
        try? stop()
    }

    /// Creates a fresh, empty database and returns its conninfo. A unique suffix is appended to
    /// `name`, so every call gets a database of its own.
    public func createDatabase(name: String) throws -> String {
        let number = state.withLock { state in
            state.databaseCount += 1
            return state.databaseCount
        }
        let safeName = String(
            name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(40))
        let database = "\(safeName)_\(number)"
        try Self.run(
            binDirectory.appending(path: "createdb"),
            ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", database],
            asServerUser: false)
        return Self.conninfo(port: port, database: database)
    }

    /// Restarts the server (fast shutdown: open connections are terminated) on the same port.
    public func restart() throws {
        try Self.pgCtl(binDirectory, directory, port: port, ["-w", "-m", "fast", "restart"])
    }

    /// Stops the server (fast shutdown) but keeps its data, for an outage that ``startAgain()`` ends.
    public func stopKeepingData() throws {
        try Self.pgCtl(binDirectory, directory, port: port, ["-w", "-m", "fast", "stop"])
    }

    /// Starts a server stopped with ``stopKeepingData()`` on the same port.
    public func startAgain() throws {
        try Self.pgCtl(binDirectory, directory, port: port, ["-w", "start"])
    }

    /// Stops the server at once and deletes its directory. Calling it again does nothing.
    public func stop() throws {
        let wasStopped = state.withLock { state in
            defer { state.isStopped = true }
            return state.isStopped
        }
        guard !wasStopped else { return }
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.pgCtl(binDirectory, directory, port: port, ["-w", "-m", "immediate", "stop"])
    }

    // MARK: Helpers

    private static func conninfo(port: Int, database: String) -> String {
        "host=127.0.0.1 port=\(port) user=postgres dbname=\(database)"
    }

    private static func dataDirectory(in directory: URL) -> String {
        directory.appending(path: "data").path
    }

    private static func pgCtl(_ bin: URL, _ directory: URL, port: Int, _ action: [String]) throws {
        let options =
            "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1"
            + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400"
        try run(
            bin.appending(path: "pg_ctl"),
            [
                "-D", dataDirectory(in: directory), "-l",
                directory.appending(path: "postgres.log").path,
                "-o", options,
            ] + action,
            asServerUser: true)
    }

    /// The `bin` directory of the highest PostgreSQL version installed.
    private static func findBinaries() throws -> URL {
        let root = URL(filePath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let best =
            versions
            .filter {
                FileManager.default.isExecutableFile(atPath: "\(root.path)/\($0)/bin/pg_ctl")
            }
            .max { (Double($0) ?? 0) < (Double($1) ?? 0) }
        guard let best else {
            throw CommandFailure(
                command: "find PostgreSQL",
                output: "no /usr/lib/postgresql/*/bin/pg_ctl (install postgresql)")
        }
        return root.appending(path: best).appending(path: "bin")
    }

    /// A new temporary directory, owned by the server user when running as root.
    private static func makeDirectory() throws -> URL {
        let base = FileManager.default.temporaryDirectory.appending(path: "signpeer-pg-XXXXXX")
        var template = Array(base.path.utf8CString)
        guard let path = mkdtemp(&template) else {
            throw CommandFailure(command: "mkdtemp", output: String(cString: strerror(errno)))
        }
        let directory = URL(filePath: String(cString: path))
        if geteuid() == 0 {
            guard let user = getpwnam("postgres") else {
                throw CommandFailure(command: "getpwnam", output: "no postgres system user")
            }
            guard chown(path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
                throw CommandFailure(command: "chown", output: String(cString: strerror(errno)))
            }
        }
        return directory
    }

    /// A port that was free a moment ago: bind port 0, read what the kernel chose, close.
    private static func freePort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else {
            throw CommandFailure(command: "socket", output: String(cString: strerror(errno)))
        }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socketDescriptor, address, length) == 0
                    && getsockname(socketDescriptor, address, &length) == 0
            }
        }
        guard bound else {
            throw CommandFailure(command: "bind", output: String(cString: strerror(errno)))
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a command to completion; throws with its combined output if it fails.
    ///
    /// Not Foundation's `Process`: on Linux it learns that a child exited through a socket the
    /// child inherits, and the server that `pg_ctl start` leaves running inherits it too, so
    /// `waitUntilExit()` never returns. `posix_spawn` + `waitpid` does not care, and closing every
    /// descriptor above stderr keeps the server from holding on to the test process's sockets.
    private static func run(_ executable: URL, _ arguments: [String], asServerUser: Bool) throws {
        let command =
            asServerUser && geteuid() == 0
            ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable.path] + arguments
            : [executable.path] + arguments
        let outputPath = FileManager.default.temporaryDirectory
            .appending(path: "signpeer-pg-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        _ = GNUSpawnActions.closeFrom(&actions, 3)
        // pg_ctl and initdb fail if the server user cannot read the current directory.
        _ = GNUSpawnActions.changeDirectory(&actions, FileManager.default.temporaryDirectory.path)

        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw CommandFailure(command: command[0], output: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw CommandFailure(
                command: ([executable.lastPathComponent] + arguments).joined(separator: " "),
                output: "exit status \(status): \(output)")
        }
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` and `..._addchdir_np` (glibc 2.34, 2.29),
/// which Swift's Glibc module hides because they need `_GNU_SOURCE`; looked up at run time.
private enum GNUSpawnActions {
    typealias CloseFrom =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) ->
        Int32

    static let closeFrom = unsafeBitCast(
        dlsym(nil, "posix_spawn_file_actions_addclosefrom_np"), to: CloseFrom.self)
    static let changeDirectory = unsafeBitCast(
        dlsym(nil, "posix_spawn_file_actions_addchdir_np"), to: ChangeDirectory.self)
}
