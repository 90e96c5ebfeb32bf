import Config
import Foundation
import FeedwatchCore
import Poller
import Stories
import Store
import StoreTestSupport
import Testing
import TopicQuery

/// A feed lists its newest item first; the same items listed oldest first must make the same
/// stories (the issue's "same stories whatever the arrival"), through a real poll cycle, on the in-memory store.
@Suite struct StoryOrderTests {
    let now = Timestamp(year: 2020, month: 6, day: 26)!

    /// The June 2020 week's headlines (Tests/Fixtures/stories/june2020-week.tsv): published, title.
    static func headlines() throws -> [(String, String)] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/stories/june2020-week.tsv").path
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let f = line.split(separator: "\t").map(String.init)
            return (f[0], f[3])
        }
    }

    /// The stories a first fetch of a feed listing `items` in that order makes: each story as the
    /// set of its titles.
    func stories(_ items: [(String, String)]) throws -> Set<Set<String>> {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-storyorder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let entries = items.enumerated().map { k, item in
            "<item><guid>g\(k)</guid><title>\(item.1.replacingOccurrences(of: "&", with: "&amp;"))</title><pubDate>\(item.0)</pubDate></item>"
        }
        try Data("<rss version=\"2.0\"><channel><title>Beat</title>\(entries.joined())</channel></rss>".utf8)
            .write(to: dir.appendingPathComponent("feed.xml"))
        let config = try ConfigLoader.parse("""
            state: s.sqlite
            first_fetch_window: all
            feeds:
              - {url: feed.xml, name: Beat}
            topics:
              all: '*'
            """, file: dir.appendingPathComponent("feedwatch.yaml").path)
        let store = MemoryStore()
        let matcher = try TopicMatcher(topics: config.topics)
        _ = try PollCycle(config: config, store: store, matcher: matcher, stories: PollCycle.storyIndex(config.stories),
                          clock: { now }).run(all: true)
        let stored = try store.stories(since: Timestamp(secondsSince1970: 0), limit: 1_000)
        #expect(stored.map(\.size).reduce(0, +) == items.count)
        #expect(stored.allSatisfy { $0.items.allSatisfy { $0.published != nil } })
        return Set(stored.map { Set($0.items.compactMap(\.title)) })
    }

    @Test func aDocumentNewestFirstMakesTheStoriesOfOneOldestFirst() throws {
        let items = try Self.headlines().sorted { $0.0 < $1.0 }
        let oldest = try stories(items)
        let newest = try stories(items.reversed())
        #expect(oldest == newest)
        #expect(oldest.count < items.count / 2, "hardly grouped: \(oldest.count) stories")
    }

    /// The week's items split over several feeds, one cycle: the stories do not depend on the
    /// order the feeds are configured (or finish fetching) in — a cycle's new items from every
    /// feed are grouped in one publication order.
    @Test func feedsInAnyOrderMakeTheSameStories() throws {
        let items = try Self.headlines()
        func split(feedOrder: [Int]) throws -> Set<Set<String>> {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-storyorder-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for f in 0..<4 {
                let entries = items.enumerated().filter { $0.offset % 4 == f }.map { k, item in
                    "<item><guid>g\(k)</guid><title>\(item.1.replacingOccurrences(of: "&", with: "&amp;"))</title><pubDate>\(item.0)</pubDate></item>"
                }
                try Data("<rss version=\"2.0\"><channel><title>Outlet \(f)</title>\(entries.joined())</channel></rss>".utf8)
                    .write(to: dir.appendingPathComponent("f\(f).xml"))
            }
            let config = try ConfigLoader.parse("""
                state: s.sqlite
                first_fetch_window: all
                feeds:
                \(feedOrder.map { "  - {url: f\($0).xml, name: Outlet \($0)}" }.joined(separator: "\n"))
                topics:
                  all: '*'
                """, file: dir.appendingPathComponent("feedwatch.yaml").path)
            let store = MemoryStore()
            _ = try PollCycle(config: config, store: store, matcher: try TopicMatcher(topics: config.topics),
                              stories: PollCycle.storyIndex(config.stories), clock: { now }).run(all: true)
            let stored = try store.stories(since: Timestamp(secondsSince1970: 0), limit: 1_000)
            #expect(stored.map(\.size).reduce(0, +) == items.count)
            return Set(stored.map { Set($0.items.compactMap(\.title)) })
        }
        let forwards = try split(feedOrder: [0, 1, 2, 3])
        #expect(forwards == (try split(feedOrder: [3, 1, 0, 2])))
        #expect(forwards == (try stories(items)))  // as one feed
    }
}
