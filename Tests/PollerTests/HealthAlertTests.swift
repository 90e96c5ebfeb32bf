import Config
import Foundation
import FeedwatchCore
import Poller
import Scheduler
import Store
import StoreTestSupport
import Testing
import TopicQuery

/// Feed health alerts from real poll cycles over a local feed, on a manual clock, on the
/// in-memory store.
@Suite struct HealthAlertTests {
    let dir: URL
    let t0 = Timestamp(secondsSince1970: 1_800_000_000)

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-health-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    private func cycle(_ config: Config, _ store: MemoryStore, at seconds: Int64) throws {
        let now = Timestamp(secondsSince1970: t0.secondsSince1970 + seconds)
        _ = try PollCycle(config: config, store: store, matcher: try TopicMatcher(topics: config.topics), clock: { now }, random: { 0.5 }).run(all: true)
    }

    private func healthEvents(_ store: MemoryStore) throws -> [String] {
        try store.alerts(after: 0, limit: 100).compactMap { $0.alert?.health?.event.rawValue }
    }

    private func config(_ health: String) throws -> Config {
        try ConfigLoader.parse("""
            state: s.sqlite
            poll: {interval: 1s}
            health: \(health)
            feeds:
              - {url: feed.xml, name: Local}
            topics:
              t: police
            """, file: dir.appendingPathComponent("feedwatch.yaml").path)
    }

    private func writeFeed(daysAgo: [Int64]) throws {
        let items = daysAgo.enumerated().map { k, d in
            let date = Timestamp(secondsSince1970: t0.secondsSince1970 - d * 86_400)
            return "<item><guid>i\(k)-\(d)</guid><title>Item</title><pubDate>\(date.rfc3339)</pubDate></item>"
        }
        // Atom dates parse as RFC 3339; RSS takes them too.
        try Data("<rss version=\"2.0\"><channel><title>Local</title>\(items.joined())</channel></rss>".utf8)
            .write(to: dir.appendingPathComponent("feed.xml"))
    }

    @Test func failingThenRecoveredOnce() throws {
        let config = try config("{failing_after: 2}")
        let store = MemoryStore()
        try cycle(config, store, at: 0)            // no file: 1 failure
        #expect(try healthEvents(store).isEmpty)
        try cycle(config, store, at: 10)           // 2 in a row: failing
        try cycle(config, store, at: 100)          // 3: no second alert
        #expect(try healthEvents(store) == ["failing"])
        try writeFeed(daysAgo: [0])
        try cycle(config, store, at: 1_000)        // back: recovered
        try cycle(config, store, at: 2_000)
        #expect(try healthEvents(store) == ["failing", "recovered"])
        let record = try #require(try store.alerts(after: 0, limit: 100).first { $0.alert?.isHealth == true }?.record)
        #expect(record.contains(#""topics":["health"]"#) && record.contains(#""item":null"#) && record.contains(#""errors_in_row":2"#))
    }

    @Test func silentForLongerThanUsualOnceUntilItPublishes() throws {
        let config = try config("{silent_after: 3}")
        let store = MemoryStore()
        try writeFeed(daysAgo: [0, 1, 2, 3])       // an item a day
        try cycle(config, store, at: 0)
        try cycle(config, store, at: 2 * 86_400)   // two days quiet: usual enough
        #expect(try healthEvents(store).isEmpty)
        try cycle(config, store, at: 4 * 86_400)   // four days: silent
        try cycle(config, store, at: 5 * 86_400)   // still: no second alert
        #expect(try healthEvents(store) == ["silent"])
        try writeFeed(daysAgo: [0, 1, 2, 3, -6])   // it publishes again
        try cycle(config, store, at: 6 * 86_400)
        #expect(try store.allFeeds().first?.silentAlerted == false)
        #expect(try healthEvents(store) == ["silent"])
    }

    /// One item since long ago, a second a minute later: one gap is not a rhythm, so nine quiet
    /// minutes are not "silent for 9m, usually every 1m". Once it has shown a rhythm, it can be.
    @Test func aFeedIsNotSilentBeforeItHasShownARhythm() throws {
        let config = try config("{silent_after: 5}")
        let store = MemoryStore()
        try writeFeed(daysAgo: [2_000])            // one item, years old
        try cycle(config, store, at: 0)
        try writeFeed(daysAgo: [2_000, 0])         // a second appears
        try cycle(config, store, at: 60)
        try cycle(config, store, at: 600)          // nine minutes quiet
        try cycle(config, store, at: 86_400)
        #expect(try healthEvents(store).isEmpty)
        #expect(try store.allFeeds()[0].gapsSeen == 1)
        #expect(SilentFeed.silentFor(usualGap: 60, gapsSeen: 1, lastNewAt: t0, now: Timestamp(secondsSince1970: t0.secondsSince1970 + 600), factor: 5) == nil)
        #expect(SilentFeed.silentFor(usualGap: 60, gapsSeen: 3, lastNewAt: t0, now: Timestamp(secondsSince1970: t0.secondsSince1970 + 600), factor: 5) == 600)
        #expect(SilentFeed.silentFor(usualGap: 60, gapsSeen: 3, lastNewAt: t0, now: Timestamp(secondsSince1970: t0.secondsSince1970 + 300), factor: 5) == nil)
    }

    @Test func noHealthSectionNoHealthAlerts() throws {
        let config = try ConfigLoader.parse("state: s.sqlite\nfeeds:\n  - url: feed.xml\ntopics:\n  t: police\n",
                                            file: dir.appendingPathComponent("feedwatch.yaml").path)
        let store = MemoryStore()
        for k in 0..<5 { try cycle(config, store, at: Int64(k) * 1_000) }
        #expect(try healthEvents(store).isEmpty)
    }
}
