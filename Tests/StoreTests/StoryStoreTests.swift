import FeedwatchCore
import Foundation
import Store
import Testing

/// Stories as the store keeps them: rows that grow with their items, members read back for the
/// grouping's index, listings with copies, per-sink sizes, retention.
@Suite struct StoryStoreTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-stories-\(UUID().uuidString).sqlite").path
    let t0 = Timestamp(secondsSince1970: 1_800_000_000)

    private func at(_ s: Int64) -> Timestamp { Timestamp(secondsSince1970: t0.secondsSince1970 + s) }

    private func item(_ id: String, _ title: String, link: String) -> ItemCandidate {
        ItemCandidate(FeedItem(id: id, title: title, link: link, summary: "About \(title)."), site: "example.org")
    }

    @Test func storiesGrowListAndAreReadBack() throws {
        let store = try SQLiteStore(path: path)
        let feeds = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b"), ("https://c.example/feed", "c")], now: t0)
        // a1 starts st_x; b1 joins it with another topic; c1 is a copy of a1 (same canonical link).
        let links: [String: StoryLink] = [
            "a1": StoryLink(id: "st_x", at: at(-600), title: "IBM quits", topics: ["ibm"], isNew: true),
            "b1": StoryLink(id: "st_x", at: at(-300), title: "IBM exits", topics: ["ibm", "police"], isNew: false),
            "b2": StoryLink(id: "st_y", at: at(-200), title: "Amazon pauses", topics: ["police"], isNew: true),
        ]
        func ingest(_ feed: Int, _ items: [ItemCandidate], now: Timestamp) throws -> [IngestResult] {
            try store.ingest(feedID: feeds[feed].id, items, now: now) { item, _ in NewItem(story: links[item.id!]) }
        }
        _ = try ingest(0, [item("a1", "IBM quits", link: "https://a.example/ibm")], now: t0)
        _ = try ingest(1, [item("b1", "IBM exits", link: "https://b.example/ibm"), item("b2", "Amazon pauses", link: "https://b.example/amz")], now: at(60))
        let copy = try ingest(2, [item("c1", "IBM quits", link: "https://a.example/ibm?utm_source=c")], now: at(120))
        guard case .duplicate = copy.first else { Issue.record("not a copy: \(copy)"); return }

        let listed = try store.stories(since: t0, limit: 10)
        #expect(listed.map(\.id) == ["st_x", "st_y"])
        let x = listed[0]
        #expect(x.title == "IBM quits" && x.size == 2 && x.firstSeen == t0 && x.lastSeen == at(60))
        #expect(x.topics == ["ibm", "police"])
        #expect(x.items.map(\.id) == ["a1", "b1"])
        #expect(x.items[0].feed == "https://a.example/feed")
        #expect(x.items[0].duplicates.map(\.feed) == ["https://c.example/feed"])
        #expect(x.items[0].duplicates.map(\.link) == ["https://a.example/ibm?utm_source=c"])
        #expect(x.items[1].duplicates.isEmpty)
        #expect(try store.stories(since: at(61), limit: 10).isEmpty)
        #expect(try store.stories(since: t0, limit: 1).map(\.id) == ["st_x"])

        // Members for the index: oldest placement first, with their story as stored, from any connection.
        let other = try SQLiteStore(path: path)
        let members = try other.storyMembers(after: 0, since: at(-3_600))
        #expect(members.map(\.storyID) == ["st_x", "st_x", "st_y"])
        #expect(members.map(\.at) == [at(-600), at(-300), at(-200)])
        #expect(members.allSatisfy { $0.storyID != "st_x" || ($0.storySize == 2 && $0.storyFirstSeen == t0) })
        #expect(try other.storyMembers(after: members[1].itemID, since: at(-3_600)).map(\.title) == ["Amazon pauses"])
        #expect(try other.storyMembers(after: 0, since: at(-250)).map(\.title) == ["Amazon pauses"])
    }

    /// A merge grouping decided (the item's link names the stories it absorbed) moves their
    /// items, sink sizes and mutes into the survivor, which takes the earliest-published title;
    /// the absorbed id still finds it.
    @Test func anAbsorbedStoryMovesIntoTheSurvivor() throws {
        let store = try SQLiteStore(path: path)
        let feed = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first)
        let links: [String: StoryLink] = [
            "a1": StoryLink(id: "st_x", at: at(-900), title: "Mt. Gox files for bankruptcy", topics: ["btc"], isNew: true),
            "a2": StoryLink(id: "st_y", at: at(-600), title: "Mt. Gox hack revealed", topics: ["hack"], isNew: true),
            "a3": StoryLink(id: "st_y", at: at(-500), title: "Mt. Gox hackers post data", topics: ["hack"], isNew: false),
            "a4": StoryLink(id: "st_x", at: at(-100), title: "Mt. Gox bankruptcy and hack", topics: ["btc"], isNew: false, absorbed: ["st_y"]),
        ]
        for (k, id) in ["a1", "a2", "a3"].enumerated() {
            _ = try store.ingest(feedID: feed.id, [item(id, links[id]!.title!, link: "https://a.example/\(id)")], now: at(Int64(k))) { i, _ in
                NewItem(story: links[i.id!])
            }
        }
        try store.setCursor(sink: "file:a", position: 0, storySizes: ["st_y": 2])
        #expect(try store.muteStory("st_y", until: nil, now: at(10)) == "st_y")
        _ = try store.ingest(feedID: feed.id, [item("a4", links["a4"]!.title!, link: "https://a.example/a4")], now: at(20)) { i, _ in
            NewItem(story: links[i.id!])
        }
        let listed = try store.stories(since: t0, limit: 10)
        #expect(listed.map(\.id) == ["st_x"])
        #expect(listed.first?.size == 4 && listed.first?.title == "Mt. Gox files for bankruptcy")
        #expect(Set(listed.first?.topics ?? []) == ["btc", "hack"])
        #expect(try store.currentStory("st_y") == "st_x")
        #expect(try store.storySizes(sink: "file:a", stories: ["st_x", "st_y"]) == ["st_x": 2])
        #expect(try store.storyCorrections(at: at(30)).muted == ["st_x"])
        #expect(try store.storyMembers(after: 0, since: at(-3_600)).allSatisfy { $0.storyID == "st_x" })
    }

    @Test func sinkSizesAndRetention() throws {
        let store = try SQLiteStore(path: path)
        let feed = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first)
        _ = try store.ingest(feedID: feed.id, [item("a1", "Old", link: "https://a.example/1")], now: t0) { _, _ in
            NewItem(story: StoryLink(id: "st_old", at: t0, title: "Old", topics: [], isNew: true), alert: ("fw_a1", "{}"))
        }
        try store.setCursor(sink: "s", position: 1, storySizes: ["st_old": 1])
        try store.setCursor(sink: "s", position: 1, storySizes: ["st_old": 0])  // never shrinks
        #expect(try store.storySizes(sink: "s", stories: ["st_old", "st_none"]) == ["st_old": 1])
        #expect(try store.cursor(sink: "s") == 1)
        let later = at(100 * 86_400)
        _ = try store.ingest(feedID: feed.id, [item("a2", "New", link: "https://a.example/2")], now: later) { _, _ in
            NewItem(story: StoryLink(id: "st_new", at: later, title: "New", topics: [], isNew: true))
        }
        _ = try store.prune(before: at(90 * 86_400), sinks: ["s"])
        #expect(try store.stories(since: t0, limit: 10).map(\.id) == ["st_new"])
        #expect(try store.storySizes(sink: "s", stories: ["st_old"]).isEmpty)
    }
}
