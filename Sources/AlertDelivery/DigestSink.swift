internal import Glibc
public import Config
public import FeedwatchCore
internal import Store

/// The log people `tail -f`: one line per alert as it comes, and every `every` a summary block.
/// The format is stable (people grep it) and documented in the README:
///
///     2026-11-22T07:31:04Z [police, facial-recognition] Wired: Title <https://…> (story of 4 · first: The Verge, 06:53)
///     == summary 2026-11-22T07:00:00Z – 2026-11-22T08:00:00Z: 12 alerts
///        topics: police 8, facial-recognition 5
///        story: 3 items "Title of its first alert" (The Verge, Wired, Ars Technica)
///        failing: https://a.example/feed.xml: HTTP 500 (3 in a row)
///
/// Lines are appended with `O_APPEND`, whole lines per write; the file is opened for each write,
/// so logrotate's default `create` needs no signal at all. A write is all or nothing: a digest
/// line carries no id to skip it by when the batch is delivered again, so after a short write (a
/// full disk) the file is cut back to where the write began, and on opening a torn last line (a
/// `kill -9` mid-write, or a cut that failed) is cut off — every line is whole and none twice.
public final class DigestSink: AlertSink, PeriodicSink {
    public let path: String
    public let every: Int
    public let topics: Set<String>?
    public let wantsHealth: Bool
    public var storyPolicy = SinkConfig.StoryPolicy.every
    /// The config's `name:`, which keeps the sink's place in the queue across edits of its settings.
    public var identity: String?
    public var name: String { identity ?? "digest:" + path }
    /// The config's feed names by URL: a failing feed is named as the config names it.
    public var feedNames: [String: String] = [:]
    /// Whether the file may end in a torn line: until it was looked at, and after a cut failed.
    private var mayBeTorn = true
    private var notices: [String] = []
    /// A summary that could not be written waits this long before it is tried again (in memory:
    /// a restart tries at once), so a full disk is not retried, and logged, every second.
    private var summaryRetry: (at: Timestamp, failures: Int)?

    public init(path: String, every: Int, topics: Set<String>?, health: Bool = false) {
        self.path = path
        self.every = max(1, every)
        self.topics = topics
        self.wantsHealth = health
    }

    public func deliver(_ alerts: [Alert]) throws {
        try append(alerts.map { Self.line($0) + "\n" }.joined())
    }

    /// One alert: publication time, topics, outlet, title, link, where it belongs in its story.
    static func line(_ a: Alert) -> String {
        "\(a.time.rfc3339) [\(a.topics.joined(separator: ", "))] \(a.feed.title ?? a.feed.url): \(a.headline)"
            + (a.link.map { " <\($0)>" } ?? "") + (a.storyNote.map { " (\($0))" } ?? "")
    }

    public func drainNotices() -> [String] {
        defer { notices = [] }
        return notices
    }

    func nextTick(_ store: DeliveryStore) throws -> Timestamp? {
        guard let due = try store.sinkState(sink: name)?.summaryAt.map({ Timestamp(secondsSince1970: $0.secondsSince1970 + Int64(every)) }) else {
            return nil
        }
        return summaryRetry.map { max($0.at, due) } ?? due
    }

    func tick(_ store: DeliveryStore, now: Timestamp) throws {
        guard let last = try store.sinkState(sink: name)?.summaryAt else {
            try store.setSummaryTime(sink: name, at: now)  // the first period starts now
            return
        }
        guard now.secondsSince1970 - last.secondsSince1970 >= Int64(every), summaryRetry.map({ now >= $0.at }) ?? true else { return }
        // A record that cannot be read was dead-lettered, with its reason, when it was delivered.
        let alerts = try store.alerts(createdFrom: last, to: now).compactMap(\.alert).filter { Delivery.wants(self, $0) }
        do {
            try append(Self.summary(alerts, from: last, to: now, failing: try store.allFeeds().filter { $0.errorsInRow > 0 && !$0.gone }, names: feedNames))
        } catch let error as SinkError {
            let failures = (summaryRetry?.failures ?? 0) + 1
            summaryRetry = (Timestamp(secondsSince1970: now.secondsSince1970 + Int64(Delivery.backoff(failures))), failures)
            throw SinkError("summary: \(error.description); next try at \(summaryRetry!.at.rfc3339)")
        }
        summaryRetry = nil
        try store.setSummaryTime(sink: name, at: now)
    }

    static func summary(_ alerts: [Alert], from: Timestamp, to: Timestamp, failing: [FeedRecord], names: [String: String] = [:]) -> String {
        var out = "== summary \(from.rfc3339) – \(to.rfc3339): \(alerts.count) alert\(alerts.count == 1 ? "" : "s")\n"
        var perTopic: [String: Int] = [:]
        var order: [String] = []
        for a in alerts {
            for t in a.topics {
                if perTopic[t] == nil { order.append(t) }
                perTopic[t, default: 0] += 1
            }
        }
        if !order.isEmpty {
            let ranked = order.enumerated().sorted { (perTopic[$0.element]!, -$0.offset) > (perTopic[$1.element]!, -$1.offset) }.map(\.element)
            out += "   topics: " + ranked.map { "\($0) \(perTopic[$0]!)" }.joined(separator: ", ") + "\n"
        }
        // Stories by size, largest first (ties: the earliest); at most five.
        var stories: [String: (size: Int, title: String, outlets: [String], first: Int)] = [:]
        for (k, a) in alerts.enumerated() where !a.isHealth {
            let id = a.story?.id ?? a.id
            let outlet = a.feed.title ?? a.feed.url
            var s = stories[id] ?? (0, a.headline, [], k)
            s.size = max(s.size, a.story?.size ?? 1)
            if !s.outlets.contains(outlet) { s.outlets.append(outlet) }
            stories[id] = s
        }
        for s in stories.values.sorted(by: { ($0.size, -$0.first) > ($1.size, -$1.first) }).prefix(5) {
            out += "   story: \(s.size) item\(s.size == 1 ? "" : "s") \"\(s.title)\" (\(s.outlets.joined(separator: ", ")))\n"
        }
        for f in failing.sorted(by: { ($0.errorsInRow, $1.url) > ($1.errorsInRow, $0.url) }).prefix(10) {
            out += "   failing: \(names[f.url] ?? f.url): \(f.lastError ?? "error") (\(f.errorsInRow) in a row)\n"
        }
        if failing.count > 10 { out += "   failing: … and \(failing.count - 10) more (feedwatch status)\n" }
        return out
    }

    private func append(_ text: String) throws {
        guard !text.isEmpty else { return }
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SinkError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if mayBeTorn {
            let cut = try cutTornLine(fd, path: path)
            if cut > 0 { notices.append("\(path): cut off a torn last line (\(cut) bytes, left by an interrupted write)") }
            mayBeTorn = false
        }
        let start = lseek(fd, 0, SEEK_END)
        let done = writeSome(fd, Array(text.utf8))
        guard let failure = done.error else { return }
        if done.count > 0, start < 0 || ftruncate(fd, start) != 0 { mayBeTorn = true }
        throw SinkError("cannot write to \(path): \(String(cString: strerror(failure))) (nothing of this write kept; it is retried whole)")
    }
}
