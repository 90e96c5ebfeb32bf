import Foundation
import Synchronization

/// A throwaway PostgreSQL cluster for the tests of one process: `initdb` in a temporary
/// directory (as the unprivileged `postgres` user when the tests run as root — PostgreSQL refuses
/// to run as root), listening on a Unix socket in that directory only, `fsync` off; stopped when
/// the process exits. Each caller gets a database of its own.
///
/// Without PostgreSQL's server binaries the tests that need it are skipped, with the reason —
/// except under CI (`CI=true`), where a missing server is a failure: CI must run them.
public final class PostgresCluster: @unchecked Sendable {
    public let directory: String
    private let bin: String
    private let user: String?
    private let lock = NSLock()
    private var databases = 0

    /// The cluster, started on first use; or why there is none (skip with that reason).
    public static let shared: Result<PostgresCluster, ClusterError> = {
        do throws(ClusterError) { return .success(try PostgresCluster()) } catch { return .failure(error) }
    }()

    /// Whether the PostgreSQL tests must run (CI) rather than be skipped.
    public static var required: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Why PostgreSQL tests were skipped, said loudly once, or nil when they run.
    public static var skipReason: String? {
        guard case .failure(let error) = shared else { return nil }
        return "PostgreSQL tests SKIPPED: \(error.message)"
    }

    public struct ClusterError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    private init(_ options: Options = Options()) throws(ClusterError) {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) })
            .first(where: { FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/initdb") }) else {
            throw ClusterError(message: "no PostgreSQL server (/usr/lib/postgresql/*/bin/initdb); `make test` installs Debian's postgresql as root")
        }
        bin = "/usr/lib/postgresql/\(version)/bin"
        user = getuid() == 0 ? "postgres" : nil
        let parent = options.parent.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        directory = parent.appendingPathComponent("feedwatch-pg-\(getpid())-\(UUID().uuidString.prefix(8))").path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if let user {
                guard let pw = getpwnam(user) else { throw ClusterError(message: "running as root, but there is no \(user) user to run PostgreSQL as") }
                chown(directory, pw.pointee.pw_uid, pw.pointee.pw_gid)
            }
            chmod(directory, 0o700)
            try run(bin + "/initdb", ["-D", directory + "/data", "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"])
            if options.tcp { port = try Self.freePort() }
            let conf = """
                listen_addresses = '\(options.tcp ? "127.0.0.1" : "")'
                \(port.map { "port = \($0)" } ?? "")
                unix_socket_directories = '\(directory)'
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                max_connections = 200
                shared_buffers = 64MB
                """
            try run("/bin/sh", ["-c", "cat >> '\(directory)/data/postgresql.conf'"], input: conf)
            if let tls = options.tls {
                // Owned by the server's user, the key readable by it alone: PostgreSQL insists.
                try run("/bin/sh", ["-c", "cat > '\(directory)/data/server.crt'"], input: tls.certificate)
                try run("/bin/sh", ["-c", "umask 077 && cat > '\(directory)/data/server.key'"], input: tls.key)
                try run("/bin/sh", ["-c", "cat >> '\(directory)/data/postgresql.conf'"], input: "\nssl = on\n")
            }
            if let hba = options.hba {
                try run("/bin/sh", ["-c", "cat > '\(directory)/data/pg_hba.conf'"], input: hba.joined(separator: "\n") + "\n")
            }
            do {
                try run(bin + "/pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "start"])
            } catch let error as ClusterError {
                let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
                throw ClusterError(message: "\(error.message)\nserver.log:\n\(log.suffix(1_500))")
            }
        } catch let error as ClusterError {
            throw error
        } catch {
            throw ClusterError(message: "cannot start a PostgreSQL cluster in \(directory): \(error)")
        }
        Self.atExit.withLock { stops in
            if stops.isEmpty { atexit { PostgresCluster.atExit.withLock { for stop in $0 { stop() } } } }
            stops.append { [bin, directory, user] in
                _ = try? Self.runCommand(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"], user: user, input: nil)
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
    }

    /// How a cluster of its own is set up (`start`); the shared one takes the defaults.
    public struct Options: Sendable {
        /// Listen on 127.0.0.1 at a free port (`port`) as well as on the Unix socket.
        public var tcp = false
        /// `ssl = on` with this certificate and key (PEM).
        public var tls: (certificate: String, key: String)?
        /// pg_hba.conf's lines, instead of initdb's (trust on the socket and loopback).
        public var hba: [String]?
        /// The directory to make the cluster's directory in (a small filesystem of a test's own),
        /// instead of the temporary directory.
        public var parent: String?

        public init(tcp: Bool = false, tls: (certificate: String, key: String)? = nil, hba: [String]? = nil, parent: String? = nil) {
            self.tcp = tcp
            self.tls = tls
            self.hba = hba
            self.parent = parent
        }
    }

    /// The TCP port on 127.0.0.1, for a cluster started with `Options.tcp`.
    public private(set) var port: Int?

    /// A cluster of its own, for a test that needs the server set up otherwise (TLS, passwords,
    /// TCP); stopped when the process exits.
    public static func start(_ options: Options) throws(ClusterError) -> PostgresCluster {
        try PostgresCluster(options)
    }

    /// Whether the server is up (`pg_ctl status`): a server that met a full disk while writing
    /// its write-ahead log stops with a PANIC, as PostgreSQL documents.
    public var isRunning: Bool {
        (try? run(bin + "/pg_ctl", ["-D", directory + "/data", "status"])) != nil
    }

    /// Stops the server the way a PANIC does: at once, every connection cut, crash recovery due.
    public func crash() throws {
        try run(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
    }

    /// Starts the server again after it stopped (crash recovery runs first).
    public func restart() throws {
        try run(bin + "/pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "start"])
    }

    /// Stops the server at once and removes its directory — before the filesystem under it goes.
    /// (The stop registered for the process's exit then finds nothing to do.)
    public func destroy() {
        _ = try? run(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The server's log, for a failure message.
    public var serverLog: String { (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? "" }

    /// A port no one listens on now on 127.0.0.1 (the kernel's pick for a socket bound to 0).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ClusterError(message: "cannot find a free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static let atExit = Mutex<[() -> Void]>([])

    /// A new, empty database; its libpq URI (a Unix socket in the cluster's directory).
    /// `owner`: a role that owns it (and so may create tables in it), else the superuser.
    public func createDatabase(_ prefix: String = "fw", owner: String? = nil) throws -> String {
        lock.lock()
        databases += 1
        let name = "\(prefix)_\(getpid())_\(databases)"
        lock.unlock()
        try run(bin + "/psql", ["-h", directory, "-p", String(port ?? 5432), "-U", "postgres", "-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                                "CREATE DATABASE \(name)" + (owner.map { " OWNER \($0)" } ?? "")])
        return uri(database: name)
    }

    public func uri(database: String) -> String {
        "postgresql://postgres@/\(database)?host=\(directory)" + (port.map { "&port=\($0)" } ?? "")
    }

    /// Runs SQL on a database with psql and returns its unaligned output.
    public func psql(_ uri: String, _ sql: String) throws -> String {
        try run(bin + "/psql", [uri, "-At", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    @discardableResult
    private func run(_ path: String, _ arguments: [String], input: String? = nil) throws -> String {
        try Self.runCommand(path, arguments, user: user, input: input)
    }

    /// Runs a command (as `user`, through runuser) with its output in a file and waits for it
    /// with waitpid. Not Foundation's `Process`: `pg_ctl start` leaves a server running that was
    /// forked from it, and `Process.waitUntilExit` was seen never to return after it.
    private static func runCommand(_ path: String, _ arguments: [String], user: String?, input: String?) throws -> String {
        // From `/`: the postgres user may not be allowed into the tests' working directory.
        let argv = ["/bin/sh", "-c", "cd / && exec \"$@\"", "sh"] + (user.map { ["/usr/sbin/runuser", "-u", $0, "--"] } ?? []) + [path] + arguments
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-pg-cmd-\(UUID().uuidString)").path
        defer { unlink(scratch + ".out"); unlink(scratch + ".in") }
        try Data((input ?? "").utf8).write(to: URL(fileURLWithPath: scratch + ".in"))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, scratch + ".in", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, scratch + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of the test process's: a server forked from `pg_ctl start` outlives the
        // command, and a pipe it inherited (another test's server's lifeline, whose closing tells
        // that server to exit) would stay open for good and hang that test's end.
        // (glibc ≥ 2.34 has it; Swift's Glibc module does not declare it, so it is looked up.)
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ)
        guard rc == 0 else { throw ClusterError(message: "cannot run \(argv[0]): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: scratch + ".out", encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw ClusterError(message: "\(argv.joined(separator: " ")) failed (status \(status)): \(output)")
        }
        return output
    }
}
