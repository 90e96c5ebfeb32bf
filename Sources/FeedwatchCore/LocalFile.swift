internal import Glibc

/// A local file (or standard input) read in 64 KB pieces, so a large document is never held
/// whole before it is parsed. The one file reader of the commands, the config and the poller.
public struct LocalFile: ~Copyable {
    /// Why a file could not be read: the path, and the system's reason.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        /// The file does not exist (ENOENT), which some callers take as "empty".
        public let isMissing: Bool

        public var description: String { "cannot read \(path): \(reason)" }
    }

    public let path: String
    /// Size and modification time: a validator that changes whenever the content may have.
    public let validator: String
    private let fd: Int32

    /// Opens a file; a directory is always refused. `regularOnly`: refuse anything but a regular
    /// file — a FIFO, a socket or a device can block a reader forever, which a daemon reading
    /// its feeds and its own files must never do (a user's `parse <(curl …)` may, by choice).
    /// The open itself never blocks (`O_NONBLOCK`, cleared again for a file that is read).
    /// `deadline`: a `Monotonic.seconds()` past which `chunks` gives up (a hung network mount).
    public init(path: String, regularOnly: Bool = false, deadline: Double? = nil) throws(Failure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw Self.failure(path) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let failure = Self.failure(path)
            close(fd)
            throw failure
        }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFDIR || (regularOnly && kind != S_IFREG) {
            close(fd)
            throw Failure(path: path, reason: kind == S_IFDIR ? "is a directory" : "is not a regular file (\(Self.kindName(kind)))", isMissing: false)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.init(fd: fd, path: path, validator: "file:\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)", deadline: deadline)
    }

    private init(fd: Int32, path: String, validator: String, deadline: Double? = nil) {
        self.fd = fd
        self.path = path
        self.validator = validator
        self.deadline = deadline
    }

    private let deadline: Double?

    private static func kindName(_ kind: mode_t) -> String {
        switch kind {
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFLNK: "a link"
        default: "not a plain file"
        }
    }

    public static func standardInput() -> LocalFile { LocalFile(fd: 0, path: "standard input", validator: "") }

    deinit { if fd > 2 { close(fd) } }

    /// Hands the content to `body` in pieces, in order.
    public func chunks(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure(path)
            }
            if n == 0 { return }
            if let deadline, Monotonic.seconds() > deadline {
                throw Failure(path: path, reason: "reading took longer than the time allowed", isMissing: false)
            }
            try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// The whole content, refusing more than `limit` bytes.
    public func readAll(limit: Int) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            try chunks { piece in
                bytes += piece
                if bytes.count > limit { throw Failure(path: path, reason: "larger than \(limit) bytes", isMissing: false) }
            }
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(path: path, reason: "\(error)", isMissing: false)
        }
        return bytes
    }

    private static func failure(_ path: String) -> Failure {
        Failure(path: path, reason: String(cString: strerror(errno)), isMissing: errno == ENOENT)
    }
}
