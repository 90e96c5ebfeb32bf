import Foundation

/// A small filesystem of its own that a test can fill to the last byte: a `tmpfs` mounted on a
/// temporary directory (or, where tmpfs may not be mounted, an ext4 image on a loop device).
/// Full-disk behaviour cannot be faked honestly — `ulimit -f` gives `EFBIG` to one process, not
/// `ENOSPC` to everyone, and SQLite and PostgreSQL react to a real full disk only.
///
/// Mounting needs root. Without it the tests that need one are skipped, with the reason —
/// except under CI (`CI=true`), where they must run: CI runs as root.
public final class ScratchFilesystem {
    /// Where it is mounted.
    public let path: String
    private let image: String?
    private var mounted = true
    private static let filler = ".filler"

    /// Whether a test needing one must run (CI) rather than be skipped.
    public static var required: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Why tests needing a filesystem of their own are skipped, or nil when they can run: not
    /// root, or root in a container that may mount neither a tmpfs nor a loop device (found by
    /// mounting one once).
    public static let skipReason: String? = {
        guard getuid() == 0 else { return "full-disk tests SKIPPED: mounting a small filesystem needs root (CI runs them as root)" }
        do {
            try ScratchFilesystem(megabytes: 1).unmount()
            return nil
        } catch {
            return "full-disk tests SKIPPED: \(error)"
        }
    }()

    public struct MountError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Mounts a filesystem of `megabytes` (world-writable, sticky, as /tmp: a PostgreSQL cluster
    /// on it runs as its own user).
    public init(megabytes: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-fs-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = dir
        let tmpfs = Self.command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=1777", "feedwatch-test", dir])
        if tmpfs.status == 0 {
            image = nil
            return
        }
        // tmpfs refused (a container may allow loop devices but not tmpfs): an ext4 image.
        let file = dir + ".img"
        let made = Self.command("/bin/sh", ["-c", "truncate -s \(megabytes)M '\(file)' && mkfs.ext4 -q -F -m 0 '\(file)' && mount -o loop '\(file)' '\(dir)' && chmod 1777 '\(dir)'"])
        guard made.status == 0 else {
            unlink(file)
            rmdir(dir)
            throw MountError(description: "cannot mount a small filesystem on \(dir): tmpfs: \(tmpfs.output) loop image: \(made.output)")
        }
        image = file
    }

    deinit { unmount() }

    /// Fills the filesystem until a write fails with `ENOSPC`, leaving `leaving` bytes free
    /// (written first to a file that is then deleted); returns the bytes written.
    @discardableResult
    public func fill(leaving: Int = 0) throws -> Int {
        let slack = path + "/.slack"
        if leaving > 0 { try Data(count: leaving).write(to: URL(fileURLWithPath: slack)) }
        let fd = open(path + "/" + Self.filler, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MountError(description: "cannot create the filler: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4_096)
        var total = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n > 0 { total += n; continue }
            if n < 0 && errno == EINTR { continue }
            guard n < 0 && errno == ENOSPC else {
                throw MountError(description: "filling \(path) stopped with \(String(cString: strerror(errno))), not ENOSPC")
            }
            break
        }
        if leaving > 0 { unlink(slack) }
        return total
    }

    /// Frees what `fill` took.
    public func free() {
        unlink(path + "/" + Self.filler)
    }

    /// Bytes free now.
    public var available: Int {
        var st = statvfs()
        guard statvfs(path, &st) == 0 else { return 0 }
        return Int(st.f_bavail) * Int(st.f_frsize)
    }

    /// Unmounts (lazily if something still holds it: a test's failure must not leave a mount
    /// behind) and removes the mount point. Called by `deinit` too; a second call does nothing.
    public func unmount() {
        guard mounted else { return }
        mounted = false
        if Self.command("/bin/umount", [path]).status != 0 { _ = Self.command("/bin/umount", ["-l", path]) }
        rmdir(path)
        if let image { unlink(image) }
    }

    private static func command(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-fs-cmd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        guard (try? Data().write(to: out)) != nil, let handle = try? FileHandle(forWritingTo: out) else { return (-1, "cannot write \(out.path)") }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "\(error)") }
        process.waitUntilExit()
        try? handle.close()
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        return (process.terminationStatus, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
