internal import Glibc
public import FeedwatchCore

/// The one writer of an SQLite store. `run` and `once` hold an exclusive `flock` on
/// `STORE.lock` for as long as they live, so a second one refuses at once and names the holder
/// instead of delivering every alert a second time; the kernel drops the lock when the process
/// ends, however it ends (`kill -9` included), so a stale lock file never blocks a restart.
/// Read-only commands take no lock and work beside the daemon (SQLite's WAL lets them).
public final class StoreLock {
    public let path: String
    private let fd: Int32

    /// Why the lock could not be had: held by another process (named in `description`), or the
    /// lock file could not be opened.
    public struct Refused: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Takes the lock for the store at `storePath`, or throws at once. `holder` says who takes it
    /// (`feedwatch run`), written into the file with the pid for the next one to read.
    public init(storePath: String, holder: String, now: Timestamp = Timestamp.now()) throws(Refused) {
        path = storePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw Refused(description: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            // The holder writes its name just after it takes the lock, and empties the file just
            // before it lets go: a process that finds no name waits up to 0.2 s for one — and takes
            // the lock itself if the holder ended meanwhile.
            var owner = Self.contents(fd)
            var taken = false
            for _ in 0..<40 where busy && owner.isEmpty {
                var pause = timespec(tv_sec: 0, tv_nsec: 5_000_000)
                nanosleep(&pause, nil)
                if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                    taken = true
                    break
                }
                owner = Self.contents(fd)
            }
            if !taken { close(fd) }
            guard busy else { throw Refused(description: "cannot lock \(path): \(reason)") }
            if taken {
                self.fd = fd
                Self.write(holder: holder, now: now, to: fd)
                return
            }
            throw Refused(description: "the store \(storePath) is in use by "
                + (owner.isEmpty ? "another feedwatch process" : owner)
                + "; only one `run` or `once` may write to it at a time (status, stories and outbox can read beside it)")
        }
        self.fd = fd
        Self.write(holder: holder, now: now, to: fd)
    }

    private static func write(holder: String, now: Timestamp, to fd: Int32) {
        let line = "\(holder) (pid \(getpid()), since \(now.rfc3339))\n"
        _ = ftruncate(fd, 0)
        _ = Array(line.utf8).withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        _ = ftruncate(fd, 0)
        close(fd)  // releases the lock
    }

    /// What the holder wrote: "feedwatch run (pid 123, since …)".
    private static func contents(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return "" }
        return String(decoding: buffer[0..<n], as: UTF8.self).trimmingWhitespace()
    }
}
