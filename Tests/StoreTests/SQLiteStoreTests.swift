import CSQLite
import FeedwatchCore
import Foundation
import Store
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

    @Test func syncAddsFeedsDueAtOnceAndDeactivatesRemovedOnes() throws {
        let store = try SQLiteStore(path: path)
        let feeds = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b")], now: t0)
        #expect(feeds.map(\.url) == ["https://a.example/feed", "https://b.example/feed"])
        #expect(try store.dueFeeds(at: t0, limit: 10).count == 2)
        #expect(try store.nextDue() == t0)

        let after = try store.syncFeeds([("https://b.example/feed", "b")], now: at(10))
        #expect(after.map(\.url) == ["https://b.example/feed"])
        #expect(try store.dueFeeds(at: at(10), limit: 10).map(\.url) == ["https://b.example/feed"])
        // Back in the config: the same row, its history kept.
        let again = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b")], now: at(20))
        #expect(again.first?.id == feeds.first?.id)
    }

    @Test func fetchOutcomesKeepValidatorsHealthAndSchedule() throws {
        let store = try SQLiteStore(path: path)
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        try store.recordFetch(feedID: id, FetchOutcome(at: t0, status: 200, etag: "\"v1\"", lastModified: "Mon, 01 Jan 2027 00:00:00 GMT", nextDueAt: at(900)))
        var f = try #require(try store.feed(url: "https://a.example/feed"))
        #expect(f.etag == "\"v1\"" && f.lastStatus == 200 && f.errorsInRow == 0 && f.fetchedOnce && f.nextDueAt == at(900))
        #expect(try store.dueFeeds(at: at(899), limit: 10).isEmpty)

        // A 304 keeps the validators; failures count up and keep them too.
        try store.recordFetch(feedID: id, FetchOutcome(at: at(900), status: 304, nextDueAt: at(1800)))
        try store.recordFetch(feedID: id, FetchOutcome(at: at(1800), status: 500, error: "HTTP 500", nextDueAt: at(2700)))
        try store.recordFetch(feedID: id, FetchOutcome(at: at(2700), status: nil, error: "connection refused", nextDueAt: at(4500)))
        f = try #require(try store.feed(url: "https://a.example/feed"))
        #expect(f.etag == "\"v1\"" && f.errorsInRow == 2 && f.lastError == "connection refused" && f.lastStatus == nil)

        // A permanent redirect changes where it is polled, not what it is called.
        try store.recordFetch(feedID: id, FetchOutcome(at: at(4500), status: 200, movedTo: "https://a.example/new", nextDueAt: at(5400)))
        f = try #require(try store.feed(url: "https://a.example/feed"))
        #expect(f.currentURL == "https://a.example/new" && f.errorsInRow == 0)

        // 410: never due again, until the config entry changes.
        try store.recordFetch(feedID: id, FetchOutcome(at: at(5400), status: 410, error: "HTTP 410 Gone", gone: true, nextDueAt: at(6300)))
        #expect(try store.dueFeeds(at: at(100_000), limit: 10).isEmpty)
        #expect(try store.nextDue() == nil)
        _ = try store.syncFeeds([("https://a.example/feed", "a")], now: at(7000))
        #expect(try store.dueFeeds(at: at(100_000), limit: 10).isEmpty)
        _ = try store.syncFeeds([("https://a.example/feed", "a, interval 5m")], now: at(8000))
        #expect(try store.dueFeeds(at: at(8000), limit: 10).map(\.gone) == [false])
    }

    @Test func anItemIsStoredAndAlertedOnceAcrossRestarts() throws {
        var store: SQLiteStore? = try SQLiteStore(path: path)
        let id = try #require(try store!.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        let items = [
            ItemCandidate(FeedItem(id: "guid-1", title: "One", link: "https://a.example/1")),
            ItemCandidate(FeedItem(title: "Two", link: "https://A.example:443/2?utm_source=x#top")),
            ItemCandidate(FeedItem(title: "Three", summary: "no id, no link")),
        ]
        var alerted: [String] = []
        func alert(_ item: FeedItem) -> (id: String, record: String)? {
            alerted.append(item.title ?? "")
            return ("alert-\(item.title ?? "")", "{\"title\":\"\(item.title ?? "")\"}")
        }
        let first = try store!.ingest(feedID: id, items, now: t0, alert: alert)
        #expect(first.allSatisfy { if case .new = $0 { true } else { false } })
        store = nil  // as after a restart

        store = try SQLiteStore(path: path)
        let again = [
            ItemCandidate(FeedItem(id: "guid-1", title: "One, edited", link: "https://a.example/1")),
            ItemCandidate(FeedItem(title: "Two", link: "https://a.example/2")),
            ItemCandidate(FeedItem(title: "Three", summary: "no id, no link")),
        ]
        let second = try store!.ingest(feedID: id, again, now: at(60), alert: alert)
        #expect(second.map { if case .new = $0 { "new" } else if case .updated = $0 { "updated" } else { "unchanged" } }
            == ["updated", "unchanged", "unchanged"])
        #expect(alerted == ["One", "Two", "Three"])
        let all = try store!.alerts(after: 0, limit: 10)
        #expect(all.map(\.id) == ["alert-One", "alert-Two", "alert-Three"])
        #expect(try store!.alerts(after: all[0].position, limit: 10).map(\.id) == ["alert-Two", "alert-Three"])
        #expect(try store!.feed(url: "https://a.example/feed")?.itemsSeen == 3)
    }

    /// A document that repeats an entry (it happens: a guid reused for an update) stores and
    /// alerts it once, on a feed's first fetch (insert first) as on later ones (lookup first).
    @Test func aRepeatedEntryInOneDocumentIsOneItem() throws {
        let store = try SQLiteStore(path: path)
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        var alerts = 0
        func alert(_ item: FeedItem) -> (id: String, record: String)? {
            alerts += 1
            return ("alert-\(alerts)", "{}")
        }
        let first = try store.ingest(feedID: id, [ItemCandidate(FeedItem(id: "g", title: "A")), ItemCandidate(FeedItem(id: "g", title: "A"))],
                                     now: t0, alert: alert)
        #expect(first.map { if case .new = $0 { "new" } else if case .updated = $0 { "updated" } else { "unchanged" } } == ["new", "unchanged"])
        let later = try store.ingest(feedID: id, [ItemCandidate(FeedItem(id: "h", title: "B")), ItemCandidate(FeedItem(id: "h", title: "B2"))],
                                     now: at(60), alert: alert)
        #expect(later.map { if case .new = $0 { "new" } else if case .updated = $0 { "updated" } else { "unchanged" } } == ["new", "updated"])
        #expect(alerts == 2)
        #expect(try store.feed(url: "https://a.example/feed")?.itemsSeen == 2)
    }

    /// Adaptive polling's input: the first poll guesses from its items' dates, later polls that
    /// find something new move a moving average of the time between them.
    @Test func howOftenAFeedPublishesIsTracked() throws {
        let store = try SQLiteStore(path: path)
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        func item(_ guid: String, daysAgo: Int64) -> ItemCandidate {
            ItemCandidate(FeedItem(id: guid, published: Timestamp(secondsSince1970: t0.secondsSince1970 - daysAgo * 86_400)))
        }
        _ = try store.ingest(feedID: id, [item("a", daysAgo: 0), item("b", daysAgo: 2), item("c", daysAgo: 4)], now: t0) { _ in nil }
        var feed = try #require(try store.feed(url: "https://a.example/feed"))
        #expect(feed.publishGap == 2 * 86_400 && feed.lastNewAt == t0)
        _ = try store.ingest(feedID: id, [item("c", daysAgo: 4)], now: at(3_600)) { _ in nil }  // nothing new: unchanged
        #expect(try store.feed(url: "https://a.example/feed")?.publishGap == 2 * 86_400)
        _ = try store.ingest(feedID: id, [item("d", daysAgo: 0)], now: at(86_400)) { _ in nil }
        feed = try #require(try store.feed(url: "https://a.example/feed"))
        #expect(feed.publishGap == (2 * 86_400 * 3 + 86_400) / 4 && feed.lastNewAt == at(86_400))
    }

    @Test func aFailedIngestLeavesNothingHalfWritten() throws {
        let store = try SQLiteStore(path: path)
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        _ = try store.ingest(feedID: id, [ItemCandidate(FeedItem(id: "x", title: "X"))], now: t0) { _ in ("dup", "{}") }
        // The second item's alert id collides: the whole document's transaction rolls back.
        #expect(throws: StoreError.self) {
            try store.ingest(feedID: id, [ItemCandidate(FeedItem(id: "y", title: "Y")), ItemCandidate(FeedItem(id: "z", title: "Z"))],
                             now: at(1)) { item in item.id == "z" ? ("dup", "{}") : ("ok-\(item.id!)", "{}") }
        }
        #expect(try store.alerts(after: 0, limit: 10).map(\.id) == ["dup"])
        #expect(try store.feed(url: "https://a.example/feed")?.itemsSeen == 1)
    }

    @Test func aBatchCommitsOnceAndAFailedIngestInsideRollsBackAlone() throws {
        let store = try SQLiteStore(path: path)
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        try store.batch { () throws(StoreError) in
            _ = try store.ingest(feedID: id, [ItemCandidate(FeedItem(id: "1"))], now: t0) { _ in ("a1", "{}") }
            do {
                _ = try store.ingest(feedID: id, [ItemCandidate(FeedItem(id: "2")), ItemCandidate(FeedItem(id: "3"))], now: t0) { _ in ("a1", "{}") }
                Issue.record("a duplicate alert id was accepted")
            } catch {}
            try store.recordFetch(feedID: id, FetchOutcome(at: t0, status: 200, nextDueAt: at(60)))
        }
        #expect(try store.alerts(after: 0, limit: 10).map(\.id) == ["a1"])
        #expect(try store.feed(url: "https://a.example/feed")?.itemsSeen == 1)
        #expect(try store.feed(url: "https://a.example/feed")?.lastStatus == 200)
    }

    @Test func pruningKeepsDedupeKeysAndUndeliveredAlerts() throws {
        let store = try SQLiteStore(path: path)
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        _ = try store.ingest(feedID: id, [ItemCandidate(FeedItem(id: "old", title: "Old"))], now: t0) { _ in ("a-old", "{}") }
        _ = try store.ingest(feedID: id, [ItemCandidate(FeedItem(id: "new", title: "New"))], now: at(86_400 * 100)) { _ in ("a-new", "{}") }
        let old = try store.alerts(after: 0, limit: 10)[0]
        try store.setCursor(sink: "file", position: old.position)
        // "stdout" never took anything: nothing may go yet.
        #expect(try store.prune(before: at(86_400 * 90), sinks: ["file", "stdout"]) == 1)
        #expect(try store.alerts(after: 0, limit: 10).map(\.id) == ["a-old", "a-new"])
        try store.setCursor(sink: "stdout", position: old.position)
        _ = try store.prune(before: at(86_400 * 90), sinks: ["file", "stdout"])
        #expect(try store.alerts(after: 0, limit: 10).map(\.id) == ["a-new"])
        #expect(try store.cursor(sink: "file") == old.position)  // cursors survive their alert
        #expect(try store.cursor(sink: "never") == nil)
        #expect(try store.lastAlertPosition() > old.position)
        // The pruned item's key still dedupes: it comes back and is not new.
        let again = try store.ingest(feedID: id, [ItemCandidate(FeedItem(id: "old", title: "Old"))], now: at(86_400 * 101)) { _ in ("x", "{}") }
        #expect(again.count == 1)
        if case .new = again[0] { Issue.record("a pruned item alerted again") }
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

    /// Sink cursors point at alert positions: a position is never handed out twice, even when
    /// pruning has emptied the table.
    @Test func alertPositionsAreNeverReused() throws {
        let store = try SQLiteStore(path: path)
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        _ = try store.ingest(feedID: id, [ItemCandidate(FeedItem(id: "1", title: "One"))], now: t0) { _ in ("a1", "{}") }
        let first = try #require(try store.alerts(after: 0, limit: 10).first)
        try store.setCursor(sink: "file", position: first.position)
        _ = try store.prune(before: at(86_400), sinks: ["file"])
        #expect(try store.alerts(after: 0, limit: 10).isEmpty)
        _ = try store.ingest(feedID: id, [ItemCandidate(FeedItem(id: "2", title: "Two"))], now: at(86_400)) { _ in ("a2", "{}") }
        #expect(try store.alerts(after: first.position, limit: 10).map(\.id) == ["a2"])
    }

    @Test func blockedHostsExpire() throws {
        let store = try SQLiteStore(path: path)
        try store.block(host: "a.example", until: at(120))
        try store.block(host: "a.example", until: at(60))  // an earlier time never shortens a block
        #expect(try store.blockedHosts(at: at(100)) == ["a.example": at(120)])
        #expect(try store.blockedHosts(at: at(120)).isEmpty)
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
