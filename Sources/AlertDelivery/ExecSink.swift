internal import Glibc
public import Config
public import FeedwatchCore

/// Runs a command per alert — no shell, the argument list as configured — with the alert record
/// on its standard input and the daemon's environment plus `FEEDWATCH_ALERT_ID`. Exit status 0 is
/// delivered; anything else, or running past the timeout, is retried like a failed webhook.
///
/// A command can misbehave in every way, and none of it may reach the daemon: it runs in its own
/// process group (a timeout or a stop kills the whole group, a script's background children
/// included); its input is written without blocking, within the timeout (a command that never
/// reads a large record cannot hang the daemon); its output and errors are captured — never
/// mixed into the daemon's own output, where a stdout sink writes — and only the first few KB
/// kept, for the failure message; its signals are the defaults, not the daemon's blocked ones.
public final class ExecSink: AlertSink {
    public let command: [String]
    public let topics: Set<String>?
    public let retry: SinkConfig.Retry?
    public let wantsHealth: Bool
    public var storyPolicy = SinkConfig.StoryPolicy.every
    /// The config's `name:`, which keeps the sink's place in the queue across edits of its settings.
    public var identity: String?
    public var name: String { identity ?? "exec:" + command.joined(separator: " ") }
    public var batchLimit: Int { 1 }
    /// The daemon's stop: a command still running when its grace period ends is killed, and its
    /// alert stays pending.
    public var stop = StopGrace.never

    /// Output kept per run, for the failure message.
    static let outputKept = 4_096

    public init(command: [String], topics: Set<String>?, retry: SinkConfig.Retry, health: Bool = false) {
        self.command = command
        self.topics = topics
        self.retry = retry
        self.wantsHealth = health
    }

    public func deliver(_ alerts: [Alert]) throws {
        for alert in alerts { try run(id: alert.id, input: Array((alert.record + "\n").utf8)) }
    }

    private func run(id: String, input: [UInt8]) throws {
        var toChild: [Int32] = [-1, -1], fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { throw DeliveryFailure("cannot make a pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw DeliveryFailure("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        // No end leaks into other commands (the daemon runs one at a time).
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copies: the child gets exactly these three.
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, no signal blocked (the daemon blocks SIGTERM/SIGHUP and takes
        // them synchronously) and SIGPIPE back to its default (the daemon ignores it).
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        var environment = ["FEEDWATCH_ALERT_ID=" + id]
        var e = environ
        while let entry = e.pointee {
            let s = String(cString: entry)
            if !s.hasPrefix("FEEDWATCH_ALERT_ID=") { environment.append(s) }
            e += 1
        }
        var pid: pid_t = 0
        let rc = withCStrings(command) { argv in
            withCStrings(environment) { envp in posix_spawnp(&pid, command[0], &actions, &attributes, argv, envp) }
        }
        close(toChild[0])
        close(fromChild[1])
        guard rc == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw DeliveryFailure("cannot run \(command[0]): \(String(cString: strerror(rc)))")
        }
        let outcome = Self.supervise(pid: pid, input: input, stdin: toChild[1], output: fromChild[0],
                                     deadline: Monotonic.seconds() + Double(retry?.timeout ?? 30), stop: stop)
        let said = Self.firstLine(outcome.output)
        switch outcome.end {
        case .timedOut:
            throw DeliveryFailure("\(command[0]) ran past \(retry?.timeout ?? 30) s and was killed, with its process group" + said)
        case .stopped:
            throw DeliveryFailure("\(command[0]) was cut short by the stop (still pending)")
        case .lost(let error):
            throw DeliveryFailure("lost \(command[0]): \(String(cString: strerror(error)))")
        case .exited(let status):
            if status & 0x7F != 0 { throw DeliveryFailure("\(command[0]) was killed by signal \(status & 0x7F)" + said) }
            let code = (status >> 8) & 0xFF
            if code != 0 { throw DeliveryFailure("\(command[0]) exited with status \(code)" + said) }
        }
    }

    enum End: Equatable {
        case exited(Int32)
        case timedOut
        case stopped
        case lost(Int32)
    }

    /// Feeds `input` to the child and drains its output, neither ever blocking, until it exits,
    /// the deadline passes or the stop's grace period ends (then its whole group is killed).
    /// Closes both descriptors.
    static func supervise(pid: pid_t, input: [UInt8], stdin inFD: Int32, output outFD: Int32,
                          deadline: Double, stop: StopGrace) -> (end: End, output: [UInt8]) {
        _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
        _ = fcntl(outFD, F_SETFL, fcntl(outFD, F_GETFL) | O_NONBLOCK)
        var inputOpen = true
        var written = 0
        var kept: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        defer { close(outFD) }
        func closeInput() { if inputOpen { close(inFD); inputOpen = false } }
        func drain() {
            while true {
                let n = buffer.withUnsafeMutableBytes { read(outFD, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                if kept.count < outputKept { kept += buffer[0..<min(n, outputKept - kept.count)] }
            }
        }
        var status: Int32 = 0
        while true {
            while inputOpen && written < input.count {
                let n = input.withUnsafeBytes { write(inFD, $0.baseAddress! + written, input.count - written) }
                if n > 0 { written += n; continue }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && errno == EAGAIN { break }
                closeInput()  // EPIPE: it does not read its input; its exit status decides
            }
            if written == input.count { closeInput() }
            drain()
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid {
                closeInput()
                drain()  // what it wrote last; a background child still holding the pipe is not waited for
                return (.exited(status), kept)
            }
            if done < 0 && errno != EINTR {
                let error = errno
                closeInput()
                return (.lost(error), kept)
            }
            let timedOut = Monotonic.seconds() >= deadline
            if timedOut || stop.isExpired {
                kill(-pid, SIGKILL)  // the group: a script's background children too
                _ = waitpid(pid, &status, 0)
                closeInput()
                return (timedOut ? .timedOut : .stopped, kept)
            }
            var fds = [pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)]
            if inputOpen { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), 20)
        }
    }

    /// ": its first line" of what a command printed, for a failure message.
    static func firstLine(_ output: [UInt8]) -> String {
        let line = output.split(separator: 0x0A).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let clean = String(line.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) }.prefix(300))
        return clean.trimmingWhitespace().isEmpty ? "" : ": \(clean.trimmingWhitespace())"
    }
}

/// `strings` as a NULL-terminated C array for the duration of `body`.
private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
