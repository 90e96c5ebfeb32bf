internal import FoundationEssentials
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
    /// Delivers records (JSON objects, one per alert) in order; throws (`DeliveryFailure` for a
    /// refusal that says whether to retry) to stop and retry later.
    func deliver(_ alerts: [(id: String, record: String)]) throws
}

extension AlertSink {
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

/// The fields of a record that text output shows.
struct AlertView: Decodable {
    struct Feed: Decodable { var url: String; var title: String? }
    struct Item: Decodable { var title: String?; var link: String?; var summary: String? }
    struct Story: Decodable { var id: String; var size: Int }
    struct Health: Decodable { var event: String; var errors_in_row: Int?; var error: String?; var silent_for: Int?; var usual_gap: Int? }
    var alert_id: String
    var emitted_at: String
    var topics: [String]
    var feed: Feed
    var item: Item?
    var story: Story?
    var health: Health?

    /// The item's title, or what a health alert says.
    var headline: String {
        if let h = health {
            switch h.event {
            case "failing": return "feed failing: \(h.error ?? "error") (\(h.errors_in_row ?? 0) polls in a row)"
            case "recovered": return "feed recovered after \(h.errors_in_row ?? 0) failed polls"
            case "silent": return "feed silent for \(Self.days(h.silent_for)) (usually a new item every \(Self.days(h.usual_gap)))"
            default: return "feed health: \(h.event)"
            }
        }
        return item?.title ?? "(untitled)"
    }

    var link: String? { item?.link }

    private static func days(_ seconds: Int?) -> String {
        let s = seconds ?? 0
        return s >= 86_400 ? "\(s / 86_400)d" : s >= 3_600 ? "\(s / 3_600)h" : "\(max(1, s / 60))m"
    }

    init?(json: String) {
        guard let view = try? JSONDecoder().decode(AlertView.self, from: Data(json.utf8)) else { return nil }
        self = view
    }
}

/// Standard output: one readable line per alert (`text`), or JSON Lines (`json`).
public final class StdoutSink: AlertSink {
    public let format: SinkConfig.OutputFormat
    public let topics: Set<String>?
    public let wantsHealth: Bool
    public var storyPolicy = SinkConfig.StoryPolicy.every
    public var name: String { "stdout" + (topics.map { ":" + $0.sorted().joined(separator: ",") } ?? "") }

    public init(format: SinkConfig.OutputFormat, topics: Set<String>?, health: Bool = false) {
        self.format = format
        self.topics = topics
        self.wantsHealth = health
    }

    public func deliver(_ alerts: [(id: String, record: String)]) throws {
        var out = ""
        for (_, record) in alerts {
            switch format {
            case .json: out += record + "\n"
            case .text: out += Self.line(record) + "\n"
            }
        }
        try writeAll(1, Array(out.utf8), what: "standard output")
    }

    /// `2026-11-22T05:00:00Z [police, facial-recognition] The Verge: Title <link>`
    static func line(_ record: String) -> String {
        guard let a = AlertView(json: record) else { return record }
        let feed = a.feed.title ?? a.feed.url
        return "\(a.emitted_at) [\(a.topics.joined(separator: ", "))] \(feed): \(a.headline)"
            + (a.link.map { " <\($0)>" } ?? "")
    }
}

/// A JSON Lines file, appended to. On opening it reads the ids already there, so a delivery
/// repeated after a crash never appends the same alert twice.
public final class FileSink: AlertSink {
    public let path: String
    public let topics: Set<String>?
    public let wantsHealth: Bool
    public var storyPolicy = SinkConfig.StoryPolicy.every
    public var name: String { "file:" + path }
    private var written: Set<String>?

    public init(path: String, topics: Set<String>?, health: Bool = false) {
        self.path = path
        self.topics = topics
        self.wantsHealth = health
    }

    public func deliver(_ alerts: [(id: String, record: String)]) throws {
        if written == nil { written = try Self.idsIn(path) }
        let fresh = alerts.filter { !written!.contains($0.id) }
        guard !fresh.isEmpty else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SinkError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try writeAll(fd, Array(fresh.map { $0.record + "\n" }.joined().utf8), what: path)
        guard fsync(fd) == 0 else { throw SinkError("cannot sync \(path): \(String(cString: strerror(errno)))") }
        for (id, _) in fresh { written!.insert(id) }
    }

    /// The `alert_id`s of the lines already in the file.
    static func idsIn(_ path: String) throws -> Set<String> {
        let bytes: [UInt8]
        do throws(LocalFile.Failure) {
            bytes = try LocalFile(path: path).readAll(limit: Int.max)
        } catch {
            if error.isMissing { return [] }
            throw SinkError(error.description)
        }
        var ids: Set<String> = []
        let marker = Array("\"alert_id\":\"".utf8)
        for line in bytes.split(separator: 0x0A) where line.starts(with: [0x7B] + marker) {
            let rest = line.dropFirst(1 + marker.count)
            if let end = rest.firstIndex(of: 0x22) { ids.insert(String(decoding: rest[..<end], as: UTF8.self)) }
        }
        return ids
    }
}

public struct SinkError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

func writeAll(_ fd: Int32, _ bytes: [UInt8], what: String) throws {
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
        if n < 0 {
            if errno == EINTR { continue }
            throw SinkError("cannot write to \(what): \(String(cString: strerror(errno)))")
        }
        offset += n
    }
}
