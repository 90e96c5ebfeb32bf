internal import Glibc
public import Config
internal import FeedwatchCore

/// Runs a command per alert — no shell, the argument list as configured — with the alert record
/// on its standard input and the daemon's environment plus `FEEDWATCH_ALERT_ID`. Exit status 0 is
/// delivered; anything else, or running past the timeout (then it is killed), is retried like a
/// failed webhook.
public final class ExecSink: AlertSink {
    public let command: [String]
    public let topics: Set<String>?
    public let retry: SinkConfig.Retry?
    public let wantsHealth: Bool
    public var storyPolicy = SinkConfig.StoryPolicy.every
    public var name: String { "exec:" + command.joined(separator: " ") }
    public var batchLimit: Int { 1 }

    public init(command: [String], topics: Set<String>?, retry: SinkConfig.Retry, health: Bool = false) {
        self.command = command
        self.topics = topics
        self.retry = retry
        self.wantsHealth = health
    }

    public func deliver(_ alerts: [(id: String, record: String)]) throws {
        for (id, record) in alerts { try run(id: id, input: Array((record + "\n").utf8)) }
    }

    private func run(id: String, input: [UInt8]) throws {
        signal(SIGPIPE, SIG_IGN)  // a command that does not read its input must not take us down
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw DeliveryFailure("cannot make a pipe: \(String(cString: strerror(errno)))") }
        // Neither end leaks into other commands; the child gets the read end as its stdin (dup2
        // clears the flag on the copy).
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        // The environment as ours, plus the alert id.
        var environment = ["FEEDWATCH_ALERT_ID=" + id]
        var e = environ
        while let entry = e.pointee {
            let s = String(cString: entry)
            if !s.hasPrefix("FEEDWATCH_ALERT_ID=") { environment.append(s) }
            e += 1
        }
        var pid: pid_t = 0
        let rc = withCStrings(command) { argv in
            withCStrings(environment) { envp in posix_spawnp(&pid, command[0], &actions, nil, argv, envp) }
        }
        close(fds[0])
        guard rc == 0 else {
            close(fds[1])
            throw DeliveryFailure("cannot run \(command[0]): \(String(cString: strerror(rc)))")
        }
        var offset = 0
        while offset < input.count {
            let n = input.withUnsafeBytes { write(fds[1], $0.baseAddress! + offset, input.count - offset) }
            if n < 0 { if errno == EINTR { continue }; break }  // EPIPE: it did not read; its status decides
            offset += n
        }
        close(fds[1])

        let deadline = Monotonic.seconds() + Double(retry?.timeout ?? 30)
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { throw DeliveryFailure("lost \(command[0]): \(String(cString: strerror(errno)))") }
            if Monotonic.seconds() >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw DeliveryFailure("\(command[0]) ran past \(retry?.timeout ?? 30) s and was killed")
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
            nanosleep(&pause, nil)
        }
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        if !exited { throw DeliveryFailure("\(command[0]) was killed by signal \(status & 0x7F)") }
        if code != 0 { throw DeliveryFailure("\(command[0]) exited with status \(code)") }
    }
}

/// `strings` as a NULL-terminated C array for the duration of `body`.
private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
