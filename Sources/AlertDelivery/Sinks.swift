internal import Glibc
public import Config
public import FeedwatchCore

/// Where alerts go. Each sink has a cursor in the store (the last alert it took), so an alert
/// committed before a crash is delivered after the restart: at least once, never lost.
public protocol AlertSink: AnyObject {
    /// The cursor's name in the store: the same sink in the next run finds it again.
    var name: String { get }
    /// Topic names this sink wants; `nil` for all.
    var topics: Set<String>? { get }
    /// The most alerts one `deliver` call takes.
    var batchLimit: Int { get }
    /// Whether feed health alerts come here (`health: true`); no other sink receives them.
    var wantsHealth: Bool { get }
    /// Which alerts of a story come here (`stories:`).
    var storyPolicy: SinkConfig.StoryPolicy { get }
    /// How a sink that can fail retries and gives up; `nil` for local sinks (a full disk is
    /// retried every round and never dead-letters an alert).
    var retry: SinkConfig.Retry? { get }
    /// Delivers alerts in order; throws (`DeliveryFailure` for a refusal that says whether to
    /// retry) to stop and retry later.
    func deliver(_ alerts: [Alert]) throws
    /// What the sink has to tell the log since it was last asked (a file it repaired).
    func drainNotices() -> [String]
}

extension AlertSink {
    public func drainNotices() -> [String] { [] }
    public var batchLimit: Int { 500 }
    public var retry: SinkConfig.Retry? { nil }
    public var wantsHealth: Bool { false }
    public var storyPolicy: SinkConfig.StoryPolicy { .every }
}

/// A delivery the receiver refused or that did not complete.
public struct DeliveryFailure: Error, CustomStringConvertible {
    public var description: String
    /// Retrying cannot help (a 4xx other than 408/429): dead-letter at once.
    public var permanent = false
    /// The receiver's `Retry-After`.
    public var retryAfter: Timestamp?

    public init(_ description: String, permanent: Bool = false, retryAfter: Timestamp? = nil) {
        self.description = description
        self.permanent = permanent
        self.retryAfter = retryAfter
    }
}

/// Standard output: one readable line per alert (`text`), or JSON Lines (`json`).
public final class StdoutSink: AlertSink {
    public let format: SinkConfig.OutputFormat
    public let topics: Set<String>?
    public let wantsHealth: Bool
    public var storyPolicy = SinkConfig.StoryPolicy.every
    /// The config's `name:`, which keeps the sink's place in the queue across edits of its settings.
    public var identity: String?
    public var name: String { identity ?? "stdout" + (topics.map { ":" + $0.sorted().joined(separator: ",") } ?? "") }

    public init(format: SinkConfig.OutputFormat, topics: Set<String>?, health: Bool = false) {
        self.format = format
        self.topics = topics
        self.wantsHealth = health
    }

    public func deliver(_ alerts: [Alert]) throws {
        var out = ""
        for alert in alerts {
            switch format {
            case .json: out += alert.record + "\n"
            case .text: out += Self.line(alert) + "\n"
            }
        }
        try writeAll(1, Array(out.utf8), what: "standard output")
    }

    /// `2026-11-22T05:00:00Z [police, facial-recognition] The Verge: Title <link>`, the time the
    /// item's publication time.
    static func line(_ a: Alert) -> String {
        let feed = a.feed.title ?? a.feed.url
        return "\(a.time.rfc3339) [\(a.topics.joined(separator: ", "))] \(feed): \(a.headline)"
            + (a.link.map { " <\($0)>" } ?? "") + (a.storyNote.map { " (\($0))" } ?? "")
    }
}

/// A JSON Lines file, appended to, where every line is one whole alert and no `alert_id` appears
/// twice. On opening it reads the ids already there (a delivery repeated after a crash is not
/// appended again) and cuts off a torn last line — what a `kill -9` or a full disk left mid-write —
/// so the next line starts fresh and the torn alert is written again whole. After a short write it
/// keeps exactly the lines that were written whole and cuts the rest, so a retry appends only
/// what is missing.
public final class FileSink: AlertSink {
    public let path: String
    public let topics: Set<String>?
    public let wantsHealth: Bool
    public var storyPolicy = SinkConfig.StoryPolicy.every
    /// The config's `name:`, which keeps the sink's place in the queue across edits of its settings.
    public var identity: String?
    public var name: String { identity ?? "file:" + path }
    /// The ids in the file, read on the first delivery.
    private var written: Set<String>?
    private var notices: [String] = []

    public init(path: String, topics: Set<String>?, health: Bool = false) {
        self.path = path
        self.topics = topics
        self.wantsHealth = health
    }

    public func drainNotices() -> [String] {
        defer { notices = [] }
        return notices
    }

    public func deliver(_ alerts: [Alert]) throws {
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0o644)
        guard fd >= 0 else { throw SinkError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SinkError("cannot read \(path): \(String(cString: strerror(errno)))") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw SinkError("\(path) is not a regular file") }
        if written == nil {
            let scan = try Self.scan(fd, path: path)
            if scan.tornBytes > 0 {
                guard ftruncate(fd, off_t(scan.wholeLength)) == 0 else {
                    throw SinkError("cannot repair \(path): \(String(cString: strerror(errno)))")
                }
                notices.append("\(path): cut off a torn last line (\(scan.tornBytes) bytes, left by an interrupted write); its alert is written again")
            }
            written = scan.ids
        }
        // New to the file and not twice in this call. `written` is only read here: a copy to
        // insert into would copy every id the file holds, at every delivery — quadratic over a
        // cycle of 200,000 alerts delivered 500 at a time.
        var fresh: [Alert] = []
        var inCall = Set<String>()
        for alert in alerts where !written!.contains(alert.id) && inCall.insert(alert.id).inserted { fresh.append(alert) }
        guard !fresh.isEmpty else { return }
        let start = lseek(fd, 0, SEEK_END)
        var bytes: [UInt8] = []
        var ends: [Int] = []  // where each record's line ends in `bytes`
        for alert in fresh {
            bytes += alert.record.utf8
            bytes.append(0x0A)
            ends.append(bytes.count)
        }
        let done = writeSome(fd, bytes)
        let whole = ends.prefix { $0 <= done.count }.count
        for alert in fresh.prefix(whole) { written!.insert(alert.id) }
        if let failure = done.error {
            // Keep only whole lines: a torn one would glue the next append onto it. Should the
            // cut itself fail, the next delivery reads the file again and repairs it then.
            let keep = whole == 0 ? 0 : ends[whole - 1]
            if done.count > keep, start < 0 || ftruncate(fd, start + off_t(keep)) != 0 { written = nil }
            throw SinkError("cannot write to \(path): \(String(cString: strerror(failure))) (\(whole) of \(fresh.count) alerts written)")
        }
        guard fsync(fd) == 0 else { throw SinkError("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    /// What a file sink finds in its file: the ids of its whole lines, and a torn last line.
    struct Scan {
        var ids: Set<String> = []
        /// Bytes up to and including the last newline.
        var wholeLength = 0
        /// Bytes after it: a line whose write was cut short.
        var tornBytes = 0
    }

    /// Reads the file in pieces (it grows for as long as the sink runs) for the `alert_id`s of its
    /// whole lines.
    static func scan(_ fd: Int32, path: String) throws -> Scan {
        var result = Scan()
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var offset = 0
        var wholeLength = 0  // just past the last newline seen
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SinkError("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            for (i, byte) in buffer[0..<n].enumerated() {
                if byte == 0x0A {
                    if let id = alertID(line) { result.ids.insert(id) }
                    line.removeAll(keepingCapacity: true)
                    wholeLength = offset + i + 1
                } else if line.count < 256 {
                    line.append(byte)  // the id is at the start: the rest of a line is not needed
                }
            }
            offset += n
        }
        result.wholeLength = wholeLength
        result.tornBytes = offset - wholeLength
        return result
    }

    /// `{"alert_id":"…"` at the start of a line: the id.
    static func alertID(_ line: [UInt8]) -> String? {
        let marker = Array("{\"alert_id\":\"".utf8)
        guard line.starts(with: marker) else { return nil }
        let rest = line.dropFirst(marker.count)
        guard let end = rest.firstIndex(of: 0x22) else { return nil }
        return String(decoding: rest[..<end], as: UTF8.self)
    }
}

public struct SinkError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Cuts the bytes after a file's last newline — a line an interrupted write left torn — and
/// says how many; reads back from the end only, as a log can be large.
func cutTornLine(_ fd: Int32, path: String) throws -> Int {
    let size = lseek(fd, 0, SEEK_END)
    guard size > 0 else { return 0 }
    var end = Int(size)
    var buffer = [UInt8](repeating: 0, count: 4_096)
    while end > 0 {
        let start = max(0, end - buffer.count)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, end - start, off_t(start)) }
        if n < 0 && errno == EINTR { continue }
        guard n == end - start else { throw SinkError("cannot read \(path): \(String(cString: strerror(n < 0 ? errno : EIO)))") }
        if let newline = buffer[0..<n].lastIndex(of: 0x0A) {
            end = start + newline + 1
            break
        }
        end = start
    }
    let torn = Int(size) - end
    guard torn > 0 else { return 0 }
    guard ftruncate(fd, off_t(end)) == 0 else { throw SinkError("cannot repair \(path): \(String(cString: strerror(errno)))") }
    return torn
}

func writeAll(_ fd: Int32, _ bytes: [UInt8], what: String) throws {
    let done = writeSome(fd, bytes)
    if let error = done.error { throw SinkError("cannot write to \(what): \(String(cString: strerror(error)))") }
}

/// Writes `bytes`, retrying short writes and `EINTR`; how many went out, and the `errno` that
/// stopped it before the end (a full disk, a closed pipe, a descriptor that would block).
func writeSome(_ fd: Int32, _ bytes: [UInt8]) -> (count: Int, error: Int32?) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
        if n < 0 {
            if errno == EINTR { continue }
            return (offset, errno)
        }
        if n == 0 { return (offset, EIO) }
        offset += n
    }
    return (offset, nil)
}
