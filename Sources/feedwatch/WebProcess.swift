import Config
import Glibc
import Prometheus

/// The `feedwatch-web` process beside `feedwatch run` (when `http:` is set): started with the
/// daemon's config, fed snapshots of the daemon's own counters on its standard input, stopped
/// with the daemon — and, since it exits when that input closes, gone with a `kill -9`ed daemon
/// too. The daemon never waits on it: a snapshot the pipe cannot take at once is dropped.
final class WebProcess {
    private(set) var pid: pid_t
    private var input: Int32
    /// A snapshot was cut short: the next one starts with a separator so the torn one is dropped.
    private var torn = false

    /// The binary: `$FEEDWATCH_WEB_BIN`, else `feedwatch-web` beside this executable, else on `PATH`.
    static func binary() -> String {
        if let env = getenv("FEEDWATCH_WEB_BIN") { return String(cString: env) }
        var buffer = [CChar](repeating: 0, count: 4_096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let slash = exe.lastIndex(of: "/") {
                let candidate = String(exe[...slash]) + "feedwatch-web"
                if access(candidate, X_OK) == 0 { return candidate }
            }
        }
        return "feedwatch-web"
    }

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `feedwatch-web --config FILE --parent-metrics`, with default signal handling and
    /// mask (the daemon blocks its signals to take them with `sigtimedwait`).
    init(configFile: String) throws(StartError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw StartError(description: "cannot make a pipe: \(String(cString: strerror(errno)))") }
        // Neither end leaks into other children (exec sinks); the child's copy is made by dup2.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let binary = Self.binary()
        let argv = [binary, "--config", configFile, "--parent-metrics"]
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, binary, &actions, &attributes, &cArgs, environ)
        close(fds[0])
        guard rc == 0 else {
            close(fds[1])
            throw StartError(description: "cannot start \(binary): \(String(cString: strerror(rc)))")
        }
        pid = child
        input = fds[1]
    }

    /// Hands the server the daemon's counters; never blocks. A snapshot the pipe has no room for
    /// is dropped; one cut short is ended by the separator the next one starts with.
    func send(_ registry: PrometheusCollectorRegistry) {
        let bytes = (torn ? [0] : []) + registry.emitToBuffer() + [0]
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(input, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            written += n
        }
        torn = written > 0 && written < bytes.count
    }

    /// Whether it is still running (reaps it if not).
    var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Closes its input (it exits at once) and waits for it, a second at most, then kills it.
    func stop() {
        close(input)
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
            nanosleep(&pause, nil)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }
}
