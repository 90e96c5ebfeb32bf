import Config
import CSQLite
import Foundation
import FeedwatchCore
import Poller
import Stories
import Store
import Testing
import TopicQuery

/// The story index across poll cycles on a real store: a cycle whose transaction fails must not
/// leave its items in the index (they were never stored, and their row ids are used again).
@Suite struct StoryCycleTests {
    let dir: URL
    let t0 = Timestamp(secondsSince1970: 1_800_000_000)

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-storycycle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    private func sql(_ statement: String) throws {
        var db: OpaquePointer?
        defer { sqlite3_close(db) }
        try #require(sqlite3_open(dir.appendingPathComponent("s.sqlite").path, &db) == SQLITE_OK)
        try #require(sqlite3_exec(db, statement, nil, nil, nil) == SQLITE_OK)
    }

    @Test func aFailedCycleLeavesNoGhostsInTheIndex() throws {
        let date = t0.rfc3339
        try Data("""
            <rss version="2.0"><channel><title>Local</title>
            <item><guid>a</guid><title>IBM quits facial recognition, Arvind Krishna tells Congress</title><pubDate>\(date)</pubDate></item>
            <item><guid>b</guid><title>IBM exits facial recognition business as Krishna writes to Congress (boom)</title><pubDate>\(date)</pubDate></item>
            </channel></rss>
            """.utf8).write(to: dir.appendingPathComponent("feed.xml"))
        let config = try ConfigLoader.parse("""
            state: s.sqlite
            first_fetch_window: all
            feeds:
              - {url: feed.xml, name: Local}
            topics:
              t: '"facial recognition"'
            """, file: dir.appendingPathComponent("feedwatch.yaml").path)
        let store = try SQLiteStore(path: dir.appendingPathComponent("s.sqlite").path)
        let stories = PollCycle.storyIndex(config.stories)
        let matcher = try TopicMatcher(topics: config.topics)
        func cycle() throws { _ = try PollCycle(config: config, store: store, matcher: matcher, stories: stories, clock: { t0 }).run(all: true) }

        // The second item's story cannot be written: the whole document rolls back.
        try sql("CREATE TRIGGER boom BEFORE UPDATE OF story_id ON items WHEN NEW.title LIKE '%boom%' BEGIN SELECT RAISE(ABORT, 'boom'); END")
        #expect(throws: StoreError.self) { try cycle() }
        #expect(try store.alerts(after: 0, limit: 10).isEmpty)

        // Again with the store working: both items are new again, the first starts the story.
        try sql("DROP TRIGGER boom")
        try cycle()
        let sizes = try store.alerts(after: 0, limit: 10).map { a -> Int in
            let json = try JSONSerialization.jsonObject(with: Data(a.record.utf8)) as? [String: Any]
            return ((json?["story"] as? [String: Any])?["size"] as? Int) ?? 0
        }
        #expect(sizes == [1, 2])
        #expect(try store.stories(since: t0, limit: 10).map(\.size) == [2])
    }
}
