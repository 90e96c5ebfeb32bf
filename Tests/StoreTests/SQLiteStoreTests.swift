import CSQLite
import FeedwatchCore
import Foundation
import Store
import StoreSQLite
import StoreTestSupport
import Testing

/// The SQLite store on real files in a temporary directory.
@Suite struct SQLiteStoreTests {
    private let dir: URL
    private var path: String { dir.appendingPathComponent("feedwatch.sqlite").path }
    private let t0 = Timestamp(secondsSince1970: 1_800_000_000)

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    private func at(_ seconds: Int64) -> Timestamp { Timestamp(secondsSince1970: t0.secondsSince1970 + seconds) }

    @Test func createsTheSchemaInWALModeAndReopens() throws {
        _ = try SQLiteStore(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        let store = try SQLiteStore(path: path)  // migrations already applied: nothing to do
        #expect(try store.nextDue() == nil)
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    /// A correction by hand (another process's connection) waits while the daemon places a
    /// batch — between its catch-up read and its apply — and goes in once the apply committed,
    /// so the daemon's next batch reads it.
    @Test func aCorrectionWaitsWhileTheDaemonPlaces() throws {
        let daemon = try SQLiteStore(path: path)
        let feed = try #require(try daemon.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        try ingest(daemon, feedID: feed, [ItemCandidate(FeedItem(id: "1", title: "One"))], now: t0,
                   stories: ["1": StoryLink(id: "st_1", at: t0, title: "One", topics: [], isNew: true)])
        try daemon.holdPlacement()
        let position = try daemon.storyMembers(after: 0, since: t0).through
        let done = Flag()
        nonisolated(unsafe) let command = try SQLiteStore(path: path)  // used by that thread alone from here on
        let muter = Thread {
            _ = try? command.muteStory("st_1", until: nil, now: Timestamp(secondsSince1970: 1_800_000_100))
            done.set()
        }
        muter.start()
        Thread.sleep(forTimeInterval: 1.0)
        #expect(!done.isSet, "a correction went in while the daemon was placing")
        #expect(try daemon.storyCorrections(at: at(100)).muted.isEmpty)
        _ = try daemon.apply([DocumentIntents(feedID: feed, at: at(1), items: [
            ItemIntent(ItemCandidate(FeedItem(id: "2", title: "Two")), .insert(story: nil, alert: nil)),
        ])], basedOn: position)
        let deadline = Date(timeIntervalSinceNow: 10)
        while !done.isSet && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(done.isSet)
        #expect(try daemon.storyCorrections(at: at(100)).muted == ["st_1"])
    }

    @Test func refusesADatabaseFromANewerVersion() throws {
        _ = try SQLiteStore(path: path)
        var db: OpaquePointer?
        #expect(sqlite3_open(path, &db) == SQLITE_OK)
        #expect(sqlite3_exec(db, "PRAGMA user_version = 99", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(db)
        #expect {
            try SQLiteStore(path: path)
        } throws: { error in
            (error as? StoreError)?.message.contains("written by a newer feedwatch (schema 99") == true
        }
    }

    @Test func anUnwritablePathIsAClearError() {
        #expect {
            try SQLiteStore(path: "/nonexistent-dir/feedwatch.sqlite")
        } throws: { error in
            (error as? StoreError)?.message.hasPrefix("cannot open /nonexistent-dir/feedwatch.sqlite") == true
        }
    }

    /// Retention must not read the whole items table (it runs after every `once`).
    @Test func pruningUsesItsIndex() throws {
        _ = try SQLiteStore(path: path)
        var db: OpaquePointer?
        #expect(sqlite3_open(path, &db) == SQLITE_OK)
        defer { sqlite3_close(db) }
        var stmt: OpaquePointer?
        let sql = """
            EXPLAIN QUERY PLAN UPDATE items SET link = NULL, title = NULL, summary = NULL
            WHERE last_seen < 5 AND (link IS NOT NULL OR title IS NOT NULL OR summary IS NOT NULL)
            """
        #expect(sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK)
        defer { sqlite3_finalize(stmt) }
        var plan = ""
        while sqlite3_step(stmt) == SQLITE_ROW { plan += String(cString: sqlite3_column_text(stmt, 3)) + "\n" }
        #expect(plan.contains("USING INDEX items_prunable"), "\(plan)")
    }

    /// Two connections writing in turn (a `once` beside a running daemon): each sees the other's
    /// articles, though each keeps its own in-memory filter of dedupe keys.
    @Test func copiesStoredByAnotherConnectionAreSeen() throws {
        let a = try SQLiteStore(path: path), b = try SQLiteStore(path: path)
        let feeds = try a.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b")], now: t0)
        func item(_ id: String, _ link: String) -> [ItemCandidate] { [ItemCandidate(FeedItem(id: id, title: id, link: link), site: "x.example")] }
        try ingest(a, feedID: feeds[0].id, item("a1", "https://news.example.org/1"), now: t0)  // a's filter built
        try ingest(b, feedID: feeds[1].id, item("b2", "https://news.example.org/2"), now: t0)  // b's own
        #expect(try ingest(a, feedID: feeds[0].id, item("a2", "https://news.example.org/2?utm_source=a"), now: t0) == [.copy])
        #expect(try ingest(b, feedID: feeds[1].id, item("b1", "https://news.example.org/1#top"), now: t0) == [.copy])
    }

    /// A failed apply leaves no dedupe key of its items behind in the connection's filter: the
    /// same items are new when they come again.
    @Test func aFailedApplyForgetsItsKeys() throws {
        let store = try SQLiteStore(path: path)
        let feeds = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b")], now: t0)
        try ingest(store, feedID: feeds[0].id, [ItemCandidate(FeedItem(id: "x"))], now: t0) { _ in testAlert("dup") }
        let c = ItemCandidate(FeedItem(id: "y", link: "https://news.example.org/y"), site: "a.example")
        let position = try store.storyMembers(after: 0, since: at(1_000_000)).through
        #expect(throws: StoreError.self) {
            _ = try store.apply([DocumentIntents(feedID: feeds[0].id, at: t0, items: [ItemIntent(c, .insert(story: nil, alert: testAlert("dup")))])],
                                basedOn: position)
        }
        let copy = ItemCandidate(FeedItem(id: "z", link: "https://news.example.org/y"), site: "b.example")
        #expect(try store.triage(feedID: feeds[1].id, [copy]) == [.new])
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
        func item(_ id: String) -> ItemCandidate {
            ItemCandidate(FeedItem(id: id, title: links[id]!.title, link: "https://a.example/\(id)", summary: "About it."), site: "example.org")
        }
        for (k, id) in ["a1", "a2", "a3"].enumerated() { try ingest(store, feedID: feed.id, [item(id)], now: at(Int64(k)), stories: links) }
        _ = try store.registerSinks(["file:a"])
        try store.acknowledge(sink: "file:a", through: 0, storySizes: ["st_y": 2])
        #expect(try store.muteStory("st_y", until: nil, now: at(10)) == "st_y")
        try ingest(store, feedID: feed.id, [item("a4")], now: at(20), stories: links)
        let listed = try store.stories(since: t0, limit: 10)
        #expect(listed.map(\.id) == ["st_x"])
        #expect(listed.first?.size == 4 && listed.first?.title == "Mt. Gox files for bankruptcy")
        #expect(Set(listed.first?.topics ?? []) == ["btc", "hack"])
        #expect(try store.currentStory("st_y") == "st_x")
        #expect(try store.storySizes(sink: "file:a", stories: ["st_x", "st_y"]) == ["st_x": 2])
        #expect(try store.storyCorrections(at: at(30)).muted == ["st_x"])
        #expect(try store.storyMembers(after: 0, since: at(-3_600)).members.allSatisfy { $0.storyID == "st_x" })
    }

    /// A story grouping calls new is inserted without a look-up; if the store holds that id after
    /// all (an index rebuilt short of what was stored), the item joins the stored story as any
    /// known story's item does: one row, its size counted up, its topics merged, its title kept.
    @Test func aNewStoryTheStoreHoldsAlreadyIsJoined() throws {
        let store = try SQLiteStore(path: path)
        let feed = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first)
        let links: [String: StoryLink] = [
            "b1": StoryLink(id: "st_b", at: at(-900), title: "Clearview fined", topics: ["privacy"], isNew: true),
            "b2": StoryLink(id: "st_b", at: at(-600), title: "Clearview fined again", topics: ["fines"], isNew: true),
            "c1": StoryLink(id: "st_c", at: at(-300), title: "A story of its own", topics: ["privacy"], isNew: true),
        ]
        for (k, id) in ["b1", "b2", "c1"].enumerated() {
            try ingest(store, feedID: feed.id, [ItemCandidate(FeedItem(id: id, title: links[id]!.title))], now: at(Int64(k)), stories: links)
        }
        let listed = try store.stories(since: t0, limit: 10)
        #expect(Set(listed.map(\.id)) == ["st_b", "st_c"])
        let b = try #require(listed.first { $0.id == "st_b" })
        #expect(b.size == 2 && b.title == "Clearview fined" && b.topics == ["privacy", "fines"])
        #expect(listed.first { $0.id == "st_c" }?.size == 1)
    }

    @Test func linksAreNormalizedForDedupe() {
        #expect(EntryKey.normalizedLink("HTTPS://Example.ORG:443/a/B?utm_medium=x&id=3&fbclid=y#frag") == "https://example.org/a/B?id=3")
        #expect(EntryKey.normalizedLink("http://example.org") == "http://example.org/")
        #expect(EntryKey.normalizedLink("http://example.org:8080/x") == "http://example.org:8080/x")
        #expect(EntryKey.of(FeedItem(id: "  ", title: "t")) != EntryKey.of(FeedItem(id: "a")))
        #expect(EntryKey.of(FeedItem(title: "a", summary: "bc")) != EntryKey.of(FeedItem(title: "ab", summary: "c")))
        // The content hash sees every edit (also across part boundaries and past 8-byte words),
        // not a new tracking parameter.
        let body = String(repeating: "eight by", count: 5)
        let base = FeedItem(title: "Title", link: "https://example.org/a", summary: body + "tail", content: "<p>x</p>")
        var variants = [base]
        for edit in [{ (i: inout FeedItem) in i.title = "Title." }, { $0.summary = body + "tall" }, { $0.summary = "X" + body.dropFirst() + "tail" },
                     { $0.content = nil }, { $0.title = "TitleE"; $0.summary = String(body.dropFirst()) + "tail" },
                     { $0.link = "https://example.org/b" }, { $0.summary = body + "tail " }] as [(inout FeedItem) -> Void] {
            var item = base
            edit(&item)
            variants.append(item)
        }
        #expect(Set(variants.map(EntryKey.contentHash)).count == variants.count)
        var tracked = base
        tracked.link = "https://example.org/a?utm_source=rss"
        #expect(EntryKey.contentHash(tracked) == EntryKey.contentHash(base))
    }
}
