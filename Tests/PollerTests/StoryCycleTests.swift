import Config
import Foundation
import FeedwatchCore
import Poller
import Stories
import Store
import StoreTestSupport
import TestSupport
import Testing
import TopicQuery

/// The story index across poll cycles, when the store fails: a batch whose apply fails is
/// discarded whole, and the index goes back to what the store committed.
@Suite struct StoryCycleTests {
    let dir: URL
    let t0 = Timestamp(secondsSince1970: 1_800_000_000)

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-storycycle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    private func setUp() throws -> (Config, TopicMatcher) {
        let date = t0.rfc3339
        try Data("""
            <rss version="2.0"><channel><title>Local</title>
            <item><guid>a</guid><title>IBM quits facial recognition, Arvind Krishna tells Congress</title><pubDate>\(date)</pubDate></item>
            <item><guid>b</guid><title>IBM exits facial recognition business as Krishna writes to Congress</title><pubDate>\(date)</pubDate></item>
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
        return (config, try TopicMatcher(topics: config.topics))
    }

    private func sizes(_ store: MemoryStore) throws -> [Int] {
        try store.alerts(after: 0, limit: 10).map { $0.alert?.story?.size ?? 0 }
    }

    @Test func aFailedApplyLeavesNoGhostsInTheIndex() throws {
        let (config, matcher) = try setUp()
        let store = MemoryStore()
        let stories = PollCycle.storyIndex(config.stories)
        func cycle() throws { _ = try PollCycle(config: config, store: store, matcher: matcher, stories: stories, clock: { t0 }).run(all: true) }

        store.faults.failingApplies = 1
        #expect(throws: StoreError.self) { try cycle() }
        #expect(try store.alerts(after: 0, limit: 10).isEmpty)
        #expect(stories.count == 0)  // the index holds what the store committed: nothing

        // Again with the store working: both items are new again, the first starts the story.
        try cycle()
        #expect(try sizes(store) == [1, 2])
        #expect(try store.stories(since: t0, limit: 10).map(\.size) == [2])
        #expect(stories.count == 2)
    }

    /// A cycle's remote feeds are applied in batches before its local ones: when the local batch
    /// fails after the remote one was stored, the index goes back to the cycle's start (one
    /// checkpoint a cycle, not one a batch) and the next cycle reads the stored item back — the
    /// local item joins its story as it would have without the failure, nothing alerts twice.
    @Test func aLaterBatchFailingKeepsWhatAnEarlierOneStored() throws {
        let date = t0.rfc3339
        try Data("""
            <rss version="2.0"><channel><title>Remote</title>
            <item><guid>a</guid><title>IBM quits facial recognition, Arvind Krishna tells Congress</title><pubDate>\(date)</pubDate></item>
            </channel></rss>
            """.utf8).write(to: dir.appendingPathComponent("remote.xml"))
        try Data("""
            <rss version="2.0"><channel><title>Local</title>
            <item><guid>b</guid><title>IBM exits facial recognition business as Krishna writes to Congress</title><pubDate>\(date)</pubDate></item>
            </channel></rss>
            """.utf8).write(to: dir.appendingPathComponent("local.xml"))
        let server = try FeedServer(arguments: [dir.path])
        let config = try ConfigLoader.parse("""
            state: s.sqlite
            first_fetch_window: all
            feeds:
              - {url: "http://127.0.0.1:\(server.port)/files/remote.xml", name: Remote}
              - {url: local.xml, name: Local}
            topics:
              t: '"facial recognition"'
            """, file: dir.appendingPathComponent("feedwatch.yaml").path)
        let matcher = try TopicMatcher(topics: config.topics)
        let store = MemoryStore()
        let stories = PollCycle.storyIndex(config.stories)
        store.faults.failingApplyNumber = 2  // the remote batch is stored, the local one fails
        #expect(throws: StoreError.self) {
            _ = try PollCycle(config: config, store: store, matcher: matcher, stories: stories, clock: { t0 }).run(all: true)
        }
        #expect(store.faults.applies == 2)
        #expect(try sizes(store) == [1])  // the remote item, stored with its alert
        #expect(stories.count == 0)  // the index as the cycle found it: the next catch-up reads the item back

        let later = Timestamp(secondsSince1970: t0.secondsSince1970 + 60)
        let summary = try PollCycle(config: config, store: store, matcher: matcher, stories: stories, clock: { later }).run(all: true)
        #expect(summary.newAlerts == 1)  // the local item only: the remote one alerted already
        #expect(try sizes(store) == [1, 2])
        #expect(try store.stories(since: t0, limit: 10).map(\.size) == [2])
        #expect(stories.count == 2)
    }

    /// Another node took the feeds (a shared store refuses the outcome): the items were applied,
    /// the index rolled back, and the next cycle reads them back from the store — the same
    /// stories, no alert twice.
    @Test func aLostLeaseIsCaughtUpFromTheStore() throws {
        let (config, matcher) = try setUp()
        let store = MemoryStore()
        let stories = PollCycle.storyIndex(config.stories)
        store.faults.leaseLost = true
        #expect(throws: StoreError.self) {
            _ = try PollCycle(config: config, store: store, matcher: matcher, stories: stories, clock: { t0 }).run(all: true)
        }
        #expect(stories.count == 0)
        store.faults.leaseLost = false
        let later = Timestamp(secondsSince1970: t0.secondsSince1970 + 60)
        let summary = try PollCycle(config: config, store: store, matcher: matcher, stories: stories, clock: { later }).run(all: true)
        #expect(summary.newAlerts == 0)
        #expect(try sizes(store) == [1, 2])
        #expect(stories.count == 2)
    }

    /// Another writer moved the ledger first: the batch is set aside — nothing stored, nothing
    /// recorded, the feed still due — and the next cycle, caught up, stores it as one node would.
    @Test func aBatchRefusedForAnotherWritersStoriesIsPolledAgain() throws {
        let (config, matcher) = try setUp()
        let store = MemoryStore()
        let stories = PollCycle.storyIndex(config.stories)
        store.faults.conflictingApplies = 1
        let first = try PollCycle(config: config, store: store, matcher: matcher, stories: stories, clock: { t0 }).run(all: false)
        #expect(first.deferred == 1 && first.newAlerts == 0)
        #expect(try store.alerts(after: 0, limit: 10).isEmpty && stories.count == 0)
        #expect(try store.nextDue() == t0)  // not recorded: still due
        let second = try PollCycle(config: config, store: store, matcher: matcher, stories: stories, clock: { t0 }).run(all: false)
        #expect(second.deferred == 0 && second.newAlerts == 2)
        #expect(try sizes(store) == [1, 2])
    }
}
