import FeedwatchCore
import Foundation
import Store
import StoreTestSupport
import Testing

/// Corrections by hand (`feedwatch stories merge/split/mute/unmute`), held to one behaviour on
/// every engine, and their place among a fleet's placements.
extension StoreConformance {
    private static func grouped(_ id: String, _ title: String, feed: String) -> ItemCandidate {
        ItemCandidate(FeedItem(id: id, title: title, link: "https://\(feed).example/\(id)", summary: "About \(title)."), site: "\(feed).example")
    }

    /// Two stories of two items each, every item alerted as `fw_<item id>`; the sink "file" has
    /// seen story B at size 2.
    private static func twoStories(_ store: FeedStore) throws -> [FeedRecord] {
        let feeds = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b")], now: t0)
        let links: [String: StoryLink] = [
            "a1": StoryLink(id: "st_a", at: at(-600), title: "IBM quits", topics: ["ibm"], isNew: true),
            "a2": StoryLink(id: "st_a", at: at(-500), title: nil, topics: ["ibm"], isNew: false),
            "b1": StoryLink(id: "st_b", at: at(-300), title: "Amazon pauses", topics: ["police"], isNew: true),
            "b2": StoryLink(id: "st_b", at: at(-200), title: nil, topics: ["police"], isNew: false),
        ]
        try ingest(store, feedID: feeds[0].id, [grouped("a1", "IBM quits", feed: "a"), grouped("a2", "IBM exits", feed: "a")], now: t0,
                   stories: links) { testAlert("fw_\($0.id!)") }
        try ingest(store, feedID: feeds[1].id, [grouped("b1", "Amazon pauses", feed: "b"), grouped("b2", "Amazon again", feed: "b")], now: at(60),
                   stories: links) { testAlert("fw_\($0.id!)") }
        _ = try store.registerSinks(["file"])
        try store.acknowledge(sink: "file", through: try store.lastAlertPosition(), storySizes: ["st_b": 2])
        return feeds
    }

    static func corrections(_ e: StoreEngine) throws {
        let store = try e.make()
        _ = try twoStories(store)
        #expect(try store.storyCorrections(at: t0) == StoryCorrections())

        // merge: the story placed first keeps its id, title and span; the other's items, topics
        // and the sinks' sizes move into it.
        #expect(try store.mergeStories(["st_b", "st_a"], now: at(10)) == "st_a")
        var listed = try store.stories(since: t0, limit: 10)
        #expect(listed.map(\.id) == ["st_a"])
        #expect(listed.first?.size == 4 && listed.first?.title == "IBM quits" && listed.first?.topics == ["ibm", "police"])
        #expect(listed.first?.items.map(\.id) == ["a1", "a2", "b1", "b2"])
        #expect(listed.first?.firstSeen == t0 && listed.first?.lastSeen == at(60))
        #expect(try store.storyMembers(since: at(-3_600)).allSatisfy { $0.storyID == "st_a" && $0.storySize == 4 })
        #expect(try store.storySizes(sink: "file", stories: ["st_a", "st_b"]) == ["st_a": 2])
        let merged = try store.storyCorrections(at: at(10))
        #expect(merged.mark > 0, "a merge regroups: an index built before it must be rebuilt")
        #expect { _ = try store.mergeStories(["st_a", "st_b"], now: at(11)) } throws: { ($0 as? StoreError)?.kind == .conflict }
        #expect { _ = try store.mergeStories(["st_a", "st_nope"], now: at(11)) } throws: { ($0 as? StoreError)?.kind == .notFound }

        // mute: an absorbed id finds its story; for a while, or for good; a mute regroups nothing.
        #expect(try store.muteStory("st_b", until: at(100), now: at(12)) == "st_a")
        #expect(try store.storyCorrections(at: at(99)).muted == ["st_a"])
        #expect(try store.storyCorrections(at: at(100)).muted.isEmpty)
        #expect(try store.storyCorrections(at: at(12)).mark == merged.mark)
        #expect(try store.unmuteStory("st_a", now: at(13)) == "st_a")
        #expect(try store.unmuteStory("st_a", now: at(13)) == nil)
        #expect(try store.muteStory("st_a", until: nil, now: at(14)) == "st_a")
        #expect(try store.storyCorrections(at: at(1_000_000)).muted == ["st_a"])
        #expect { _ = try store.muteStory("st_nope", until: nil, now: at(14)) } throws: { ($0 as? StoreError)?.kind == .notFound }

        // split, by alert id, by link, by the item's id: a story of its own, kept apart.
        let split = try #require(try store.splitItem("fw_b2", now: at(20)))
        #expect(split.old == "st_a" && split.new != "st_a")
        listed = try store.stories(since: t0, limit: 10)
        #expect(listed.map(\.id) == ["st_a", split.new])
        #expect(listed.first?.size == 3 && listed.first?.items.map(\.id) == ["a1", "a2", "b1"])
        #expect(listed.last?.size == 1 && listed.last?.title == "Amazon again" && listed.last?.topics == ["ibm", "police"])
        let afterSplit = try store.storyCorrections(at: at(20))
        #expect(afterSplit.mark > merged.mark)
        #expect(afterSplit.apart.map { [$0.0, $0.1] } == [["st_a", split.new]])
        #expect(try store.splitItem("fw_b2", now: at(21)) == nil, "alone in its story: nothing to split")
        let byLink = try #require(try store.splitItem("https://b.example/b1", now: at(22)))
        #expect(byLink.old == "st_a" && byLink.new != split.new)
        #expect(try store.splitItem("a2", now: at(23))?.old == "st_a")
        #expect(try store.stories(since: t0, limit: 10).first { $0.id == "st_a" }?.items.map(\.id) == ["a1"])
        #expect { _ = try store.splitItem("fw_nope", now: at(24)) } throws: { ($0 as? StoreError)?.kind == .notFound }

        // A merge by hand joins what a split had set apart.
        #expect(try store.mergeStories([split.new, "st_a"], now: at(30)) == "st_a")
        #expect(try store.storyCorrections(at: at(30)).apart.map { [$0.0, $0.1] }.contains { $0.contains(split.new) } == false)

        // Another connection (a restart, another node) reads the same corrections.
        let other = try e.reopen(store)
        #expect(try other.storyCorrections(at: at(30)) == store.storyCorrections(at: at(30)))
    }

    static func absorbedCarriesCorrections(_ e: StoreEngine) throws {
        let store = try e.make()
        let feeds = try twoStories(store)
        #expect(try store.muteStory("st_b", until: nil, now: at(10)) == "st_b")
        // Grouping merges st_b into st_a as a new item joins: the mute and the id go with it.
        try ingest(store, feedID: feeds[0].id, [grouped("a3", "IBM and Amazon", feed: "a")], now: at(120),
                   stories: ["a3": StoryLink(id: "st_a", at: at(-100), title: nil, topics: ["ibm"], isNew: false, absorbed: ["st_b"])])
        #expect(try store.stories(since: t0, limit: 10).map(\.id) == ["st_a"])
        #expect(try store.storyCorrections(at: at(120)).muted == ["st_a"], "a muted part mutes the whole")
        #expect(try store.unmuteStory("st_b", now: at(121)) == "st_a")
        #expect(try store.storyCorrections(at: at(121)).muted.isEmpty)
    }

    /// A correction waits for a node that is placing (between its catch-up read and its apply),
    /// and takes a position: a decision made on the ledger before it is refused and made again.
    static func correctionsAreOrdered(_ e: StoreEngine) throws {
        let store = try e.make()
        let other = try #require(try e.otherNode?(store, "b"))
        let feeds = try twoStories(store)
        let before = try store.storyMembers(after: 0, since: at(-3_600)).through
        #expect(try other.mergeStories(["st_a", "st_b"], now: at(10)) == "st_a")
        // Decided before the merge: the new item joins st_b, which is no more.
        let stale = DocumentIntents(feedID: feeds[1].id, at: at(100), items: [
            ItemIntent(grouped("b3", "Amazon too", feed: "b"),
                       .insert(story: StoryLink(id: "st_b", at: at(-100), title: nil, topics: [], isNew: false), alert: testAlert("fw_b3"))),
        ])
        #expect { _ = try store.apply([stale], basedOn: before) } throws: { ($0 as? StoreError)?.kind == .conflict }
        #expect(try store.alerts(after: 0, limit: 10).map(\.id).contains("fw_b3") == false)
        let read = try store.storyMembers(after: before, since: at(-3_600))
        #expect(read.through > before)
        #expect(try store.storyCorrections(at: at(100)).mark > 0, "the catch-up sees the merge: the index is rebuilt")
        var fresh = stale
        fresh.items[0].action = .insert(story: StoryLink(id: "st_a", at: at(-100), title: nil, topics: [], isNew: false), alert: testAlert("fw_b3"))
        _ = try store.apply([fresh], basedOn: read.through)
        #expect(try store.stories(since: t0, limit: 10).first?.size == 5)

        // While this node places, a mute on the other waits; it lands once the apply committed.
        try store.holdPlacement()
        let done = Flag()
        nonisolated(unsafe) let muting = other  // used by that thread alone from here on
        let muter = Thread {
            _ = try? muting.muteStory("st_a", until: nil, now: at(200))
            done.set()
        }
        muter.start()
        Thread.sleep(forTimeInterval: 1.0)
        #expect(!done.isSet, "a correction went in while a node was placing")
        let placed = try store.storyMembers(after: 0, since: at(-3_600)).through
        #expect(try store.storyCorrections(at: at(200)).muted.isEmpty)
        _ = try store.apply([DocumentIntents(feedID: feeds[0].id, at: at(200), items: [
            ItemIntent(grouped("a9", "IBM later", feed: "a"), .insert(story: nil, alert: testAlert("fw_a9"))),
        ])], basedOn: placed)
        let deadline = Date(timeIntervalSinceNow: 10)
        while !done.isSet && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(done.isSet)
        #expect(try store.storyCorrections(at: at(200)).muted == ["st_a"])
    }
}

/// A flag one thread sets and another reads.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
