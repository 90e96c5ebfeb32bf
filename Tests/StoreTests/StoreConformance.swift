import FeedwatchCore
import Store
import StoreTestSupport
import Testing

/// The behaviour every store engine must show, whatever it is built on: the SQLite file, the
/// in-memory double the unit tests use, and any server database after them. Each check makes
/// its own store.
enum StoreConformance {
    static let t0 = Timestamp(secondsSince1970: 1_800_000_000)
    static func at(_ s: Int64) -> Timestamp { Timestamp(secondsSince1970: t0.secondsSince1970 + s) }
    static func outcome(_ id: Int64, _ fetch: FetchOutcome, block: (String, Timestamp)? = nil, alerts: [Alert] = []) -> FeedOutcome {
        FeedOutcome(feedID: id, fetch: fetch, blockHost: block.map { (host: $0.0, until: $0.1) }, alerts: alerts)
    }

    static let checks: [(name: String, run: @Sendable (StoreEngine) throws -> Void)] = [
        ("feeds are synced, claimed when due and deactivated", syncAndClaim),
        ("fetch outcomes keep validators, health and schedule", fetchOutcomes),
        ("an item is stored and alerted once across restarts", itemOnce),
        ("a repeated entry in one document is one item", repeatedEntry),
        ("how often a feed publishes is tracked", publishGap),
        ("an apply is all or nothing", applyAllOrNothing),
        ("an item stored since its triage is a conflict", staleTriage),
        ("decisions on a ledger that moved since are a conflict", stalePosition),
        ("copies across feeds are stored, not alerted", copies),
        ("stories grow, list and are read back in commit order", stories),
        ("the outbox: cursors, failures, dead letters, moves", outbox),
        ("retention keeps dedupe keys and undelivered alerts", retention),
        ("alert positions are never reused", positions),
        ("blocked hosts and health alerts are recorded with the outcome", hostsAndHealth),
        ("stories are merged, split, muted and unmuted by hand", corrections),
        ("a story absorbed by grouping hands over its mute and its id", absorbedCarriesCorrections),
    ]

    /// What an engine several nodes share must also do (run where `StoreEngine.otherNode` is set).
    static let fleetChecks: [(name: String, run: @Sendable (StoreEngine) throws -> Void)] = [
        ("a correction is ordered among the placements", correctionsAreOrdered),
        ("a feed whose lease ran out and was taken over: its outcome is refused", feedLeaseLost),
        ("a sink whose lease ran out mid-batch: the next node delivers from the cursor", sinkLeaseLost),
    ]

    static func syncAndClaim(_ e: StoreEngine) throws {
        let store = try e.make()
        let lease = Lease(node: "a", seconds: 60)
        let feeds = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b")], now: t0)
        #expect(feeds.map(\.url) == ["https://a.example/feed", "https://b.example/feed"])
        #expect(try store.claimDue(at: t0, limit: 10, lease: lease).count == 2)
        #expect(try store.claimDue(at: t0, limit: 1, lease: lease).count == 1)
        #expect(try store.nextDue() == t0)
        let after = try store.syncFeeds([("https://b.example/feed", "b")], now: at(10))
        #expect(after.map(\.url) == ["https://b.example/feed"])
        #expect(try store.claimDue(at: at(10), limit: 10, lease: lease).map(\.url) == ["https://b.example/feed"])
        #expect(try store.allFeeds().map(\.url) == ["https://b.example/feed"])
        let again = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b")], now: at(20))
        #expect(again.first?.id == feeds.first?.id)  // back in the config: the same feed, its history kept
    }

    static func fetchOutcomes(_ e: StoreEngine) throws {
        let store = try e.make()
        let lease = Lease(node: "a", seconds: 60)
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        func feed() throws -> FeedRecord { try #require(try store.allFeeds().first) }
        try store.record([outcome(id, FetchOutcome(at: t0, status: 200, etag: "\"v1\"", lastModified: "Mon, 01 Jan 2027 00:00:00 GMT", nextDueAt: at(900)))])
        var f = try feed()
        #expect(f.etag == "\"v1\"" && f.lastStatus == 200 && f.errorsInRow == 0 && f.fetchedOnce && f.nextDueAt == at(900))
        #expect(try store.claimDue(at: at(899), limit: 10, lease: lease).isEmpty)
        // A 304 keeps the validators; failures count up and keep them too.
        try store.record([outcome(id, FetchOutcome(at: at(900), status: 304, nextDueAt: at(1800)))])
        try store.record([outcome(id, FetchOutcome(at: at(1800), status: 500, error: "HTTP 500", nextDueAt: at(2700))),
                          outcome(id, FetchOutcome(at: at(2700), status: nil, error: "connection refused", nextDueAt: at(4500)))])
        f = try feed()
        #expect(f.etag == "\"v1\"" && f.errorsInRow == 2 && f.lastError == "connection refused" && f.lastStatus == nil)
        #expect(try store.feedCounts() == (1, 1))
        // A permanent redirect changes where it is polled, not what it is called.
        try store.record([outcome(id, FetchOutcome(at: at(4500), status: 200, movedTo: "https://a.example/new", nextDueAt: at(5400)))])
        f = try feed()
        #expect(f.currentURL == "https://a.example/new" && f.url == "https://a.example/feed" && f.errorsInRow == 0)
        // 410: never due again, until the config entry changes.
        try store.record([outcome(id, FetchOutcome(at: at(5400), status: 410, error: "HTTP 410 Gone", gone: true, nextDueAt: at(6300)))])
        #expect(try store.claimDue(at: at(100_000), limit: 10, lease: lease).isEmpty)
        #expect(try store.nextDue() == nil)
        _ = try store.syncFeeds([("https://a.example/feed", "a")], now: at(7000))
        #expect(try store.claimDue(at: at(100_000), limit: 10, lease: lease).isEmpty)
        _ = try store.syncFeeds([("https://a.example/feed", "a, interval 5m")], now: at(8000))
        #expect(try store.claimDue(at: at(8000), limit: 10, lease: lease).map(\.gone) == [false])
    }

    static func itemOnce(_ e: StoreEngine) throws {
        var store = try e.make()
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        var alerted: [String] = []
        func alert(_ item: FeedItem) -> Alert? {
            alerted.append(item.title ?? "")
            return testAlert("alert-\(item.title ?? "")", title: item.title)
        }
        let first = try ingest(store, feedID: id, [
            ItemCandidate(FeedItem(id: "guid-1", title: "One", link: "https://a.example/1")),
            ItemCandidate(FeedItem(title: "Two", link: "https://A.example:443/2?utm_source=x#top")),
            ItemCandidate(FeedItem(title: "Three", summary: "no id, no link")),
        ], now: t0, alert: alert)
        #expect(first == [.new, .new, .new])
        store = try e.reopen(store)  // as after a restart
        let second = try ingest(store, feedID: id, [
            ItemCandidate(FeedItem(id: "guid-1", title: "One, edited", link: "https://a.example/1")),
            ItemCandidate(FeedItem(title: "Two", link: "https://a.example/2")),
            ItemCandidate(FeedItem(title: "Three", summary: "no id, no link")),
        ], now: at(60), alert: alert)
        #expect(second == [.updated, .unchanged, .unchanged])
        #expect(alerted == ["One", "Two", "Three"])
        let all = try store.alerts(after: 0, limit: 10)
        #expect(all.map(\.id) == ["alert-One", "alert-Two", "alert-Three"])
        #expect(all.map { $0.alert?.headline } == ["One", "Two", "Three"])  // read back typed
        #expect(try store.alerts(after: all[0].position, limit: 10).map(\.id) == ["alert-Two", "alert-Three"])
        #expect(try store.alertCount(after: all[0].position) == 2)
        #expect(try store.lastAlertPosition() == all[2].position)
        #expect(try store.allFeeds().first?.itemsSeen == 3)
    }

    static func repeatedEntry(_ e: StoreEngine) throws {
        let store = try e.make()
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        var n = 0
        func alert(_ item: FeedItem) -> Alert? {
            n += 1
            return testAlert("alert-\(n)")
        }
        try ingest(store, feedID: id, [ItemCandidate(FeedItem(id: "g", title: "A")), ItemCandidate(FeedItem(id: "g", title: "A"))], now: t0, alert: alert)
        try ingest(store, feedID: id, [ItemCandidate(FeedItem(id: "h", title: "B")), ItemCandidate(FeedItem(id: "h", title: "B2"))], now: at(60), alert: alert)
        #expect(n == 2)
        #expect(try store.allFeeds().first?.itemsSeen == 2)
        #expect(try store.triage(feedID: id, [ItemCandidate(FeedItem(id: "h", title: "B2"))]) == [.unchanged])
    }

    static func publishGap(_ e: StoreEngine) throws {
        let store = try e.make()
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        func item(_ guid: String, daysAgo: Int64) -> ItemCandidate {
            ItemCandidate(FeedItem(id: guid, published: Timestamp(secondsSince1970: t0.secondsSince1970 - daysAgo * 86_400)))
        }
        try ingest(store, feedID: id, [item("a", daysAgo: 0), item("b", daysAgo: 2), item("c", daysAgo: 4)], now: t0)
        var feed = try #require(try store.allFeeds().first)
        #expect(feed.publishGap == 2 * 86_400 && feed.lastNewAt == t0)
        #expect(feed.gapsSeen == 2, "three dated items: two gaps")
        try ingest(store, feedID: id, [item("c", daysAgo: 4)], now: at(3_600))  // nothing new
        #expect(try store.allFeeds().first?.publishGap == 2 * 86_400)
        #expect(try store.allFeeds().first?.gapsSeen == 2)
        try ingest(store, feedID: id, [item("d", daysAgo: 0)], now: at(86_400))
        feed = try #require(try store.allFeeds().first)
        #expect(feed.publishGap == (2 * 86_400 * 3 + 86_400) / 4 && feed.lastNewAt == at(86_400))
        #expect(feed.gapsSeen == 3, "then one per poll that found something")
    }

    static func applyAllOrNothing(_ e: StoreEngine) throws {
        let store = try e.make()
        let feeds = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b")], now: t0)
        try ingest(store, feedID: feeds[0].id, [ItemCandidate(FeedItem(id: "x", title: "X"))], now: t0) { _ in testAlert("dup") }
        // Two documents in one apply; the second's alert id collides: neither is kept.
        let ok = DocumentIntents(feedID: feeds[1].id, at: at(1), items: [ItemIntent(ItemCandidate(FeedItem(id: "y", title: "Y")),
                                                                                    .insert(story: nil, alert: testAlert("fine")))])
        let bad = DocumentIntents(feedID: feeds[0].id, at: at(1), items: [ItemIntent(ItemCandidate(FeedItem(id: "z", title: "Z")),
                                                                                     .insert(story: nil, alert: testAlert("dup")))])
        let position = try store.storyMembers(after: 0, since: at(1_000_000)).through
        #expect(throws: StoreError.self) { _ = try store.apply([ok, bad], basedOn: position) }
        #expect(try store.alerts(after: 0, limit: 10).map(\.id) == ["dup"])
        #expect(try store.allFeeds().map(\.itemsSeen) == [1, 0])
        #expect(try store.triage(feedID: feeds[1].id, [ItemCandidate(FeedItem(id: "y", title: "Y"))]) == [.new])
    }

    static func staleTriage(_ e: StoreEngine) throws {
        let store = try e.make()
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        let item = ItemCandidate(FeedItem(id: "x", title: "X"))
        #expect(try store.triage(feedID: id, [item]) == [.new])
        try ingest(store, feedID: id, [item], now: t0) { _ in testAlert("a1") }  // stored since, by someone else
        #expect {
            let position = try store.storyMembers(after: 0, since: at(1_000_000)).through
            _ = try store.apply([DocumentIntents(feedID: id, at: at(1), items: [ItemIntent(item, .insert(story: nil, alert: testAlert("a2")))])],
                                basedOn: position)
        } throws: { ($0 as? StoreError)?.kind == .conflict }
        #expect(try store.alerts(after: 0, limit: 10).map(\.id) == ["a1"])
    }

    static func stalePosition(_ e: StoreEngine) throws {
        let store = try e.make()
        let feeds = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b")], now: t0)
        let before = try store.storyMembers(after: 0, since: t0).through
        let other = try e.reopen(store)  // another writer applies first
        try ingest(other, feedID: feeds[0].id, [ItemCandidate(FeedItem(id: "x", title: "X"))], now: t0,
                   stories: ["x": StoryLink(id: "st_x", at: t0, title: "X", topics: [], isNew: true)])
        let mine = DocumentIntents(feedID: feeds[1].id, at: t0, items: [ItemIntent(ItemCandidate(FeedItem(id: "y", title: "Y")),
                                                                                   .insert(story: nil, alert: testAlert("y")))])
        #expect { _ = try store.apply([mine], basedOn: before) } throws: { ($0 as? StoreError)?.kind == .conflict }
        #expect(try store.alerts(after: 0, limit: 10).isEmpty)
        // Caught up, the same decision goes in, and the position moves past it.
        let read = try store.storyMembers(after: before, since: t0)
        #expect(read.members.map(\.storyID) == ["st_x"] && read.through > before)
        let after = try store.apply([mine], basedOn: read.through)
        #expect(after > read.through)
        #expect(try store.alerts(after: 0, limit: 10).map(\.id) == ["y"])
        #expect(try store.storyMembers(after: read.through, since: t0).members.isEmpty)
        #expect(try store.apply([], basedOn: before) == before)  // nothing to apply: nothing to check
    }

    static func copies(_ e: StoreEngine) throws {
        let store = try e.make()
        let feeds = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b"), ("https://c.example/feed", "c")], now: t0)
        var alerted: [String] = []
        func put(_ feed: Int, _ item: FeedItem) throws -> Triage {
            try ingest(store, feedID: feeds[feed].id, [ItemCandidate(item, site: ArticleKey.site(of: feeds[feed].url))], now: t0) { i in
                alerted.append(i.title ?? "")
                return testAlert("a\(alerted.count)")
            }[0]
        }
        #expect(try put(0, FeedItem(id: "a1", title: "Council bans face surveillance", link: "https://news.example.org/ban")) == .new)
        // The same link through another feed, with tracking, or through a Google redirect: copies.
        #expect(try put(1, FeedItem(id: "b7", title: "Council bans it", link: "https://news.example.org/ban?utm_source=b&fbclid=1")) == .copy)
        #expect(try put(2, FeedItem(id: "c3", title: "x", link: "https://www.google.com/url?q=https%3A%2F%2Fnews.example.org%2Fban")) == .copy)
        #expect(alerted == ["Council bans face surveillance"])
        // Same title and summary on one site under a new URL: a copy. On another site: coverage.
        _ = try put(0, FeedItem(id: "a2", title: "Wire: police buy scanners", link: "https://a.example/2", summary: "The deal is worth $2m."))
        #expect(try put(0, FeedItem(id: "a3", title: "Wire: police buy scanners", link: "https://a.example/2-amp", summary: "The deal is worth $2m.")) == .copy)
        #expect(try put(1, FeedItem(id: "b8", title: "Wire: police buy scanners", link: "https://b.example/9", summary: "The deal is worth $2m.")) == .new)
        #expect(alerted.count == 3)
        // Another connection (a `once` beside the daemon) sees them too.
        let other = try e.reopen(store)
        let copy = ItemCandidate(FeedItem(id: "c9", title: "y", link: "https://news.example.org/ban#top"), site: "c.example")
        #expect(try other.triage(feedID: feeds[2].id, [copy]) == [.copy])
    }

    static func stories(_ e: StoreEngine) throws {
        let store = try e.make()
        let feeds = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b"), ("https://c.example/feed", "c")], now: t0)
        let links: [String: StoryLink] = [
            "a1": StoryLink(id: "st_x", at: at(-600), title: "IBM quits", topics: ["ibm"], isNew: true),
            "b1": StoryLink(id: "st_x", at: at(-300), title: "IBM exits", topics: ["ibm", "police"], isNew: false),
            "b2": StoryLink(id: "st_y", at: at(-200), title: "Amazon pauses", topics: ["police"], isNew: true),
        ]
        func item(_ id: String, _ title: String, link: String) -> ItemCandidate {
            ItemCandidate(FeedItem(id: id, title: title, link: link, summary: "About \(title)."), site: "example.org")
        }
        try ingest(store, feedID: feeds[0].id, [item("a1", "IBM quits", link: "https://a.example/ibm")], now: t0, stories: links)
        try ingest(store, feedID: feeds[1].id, [item("b1", "IBM exits", link: "https://b.example/ibm"), item("b2", "Amazon pauses", link: "https://b.example/amz")],
                   now: at(60), stories: links)
        let copy = try ingest(store, feedID: feeds[2].id, [item("c1", "IBM quits", link: "https://a.example/ibm?utm_source=c")], now: at(120))
        #expect(copy == [.copy])

        let listed = try store.stories(since: t0, limit: 10)
        #expect(listed.map(\.id) == ["st_x", "st_y"])
        let x = try #require(listed.first)
        #expect(x.title == "IBM quits" && x.size == 2 && x.firstSeen == t0 && x.lastSeen == at(60))
        #expect(x.topics == ["ibm", "police"])
        #expect(x.items.map(\.id) == ["a1", "b1"])
        #expect(x.items.first?.duplicates.map(\.feed) == ["https://c.example/feed"])
        #expect(x.items.first?.duplicates.map(\.link) == ["https://a.example/ibm?utm_source=c"])
        #expect(try store.stories(since: at(61), limit: 10).isEmpty)
        #expect(try store.stories(since: t0, limit: 1).map(\.id) == ["st_x"])
        // One by id, as listed, however old.
        #expect(try store.story(id: "st_x") == x)
        #expect(try store.story(id: "st_y")?.items.map(\.id) == ["b2"])
        #expect(try store.story(id: "st_none") == nil)

        // Members for the index: oldest placement first, in commit order after a position.
        let other = try e.reopen(store)
        let members = try other.storyMembers(after: 0, since: at(-3_600)).members
        #expect(members.map(\.storyID) == ["st_x", "st_x", "st_y"])
        #expect(members.map(\.at) == [at(-600), at(-300), at(-200)])
        #expect(members.map(\.item.entryKey) == ["id:a1", "id:b1", "id:b2"])
        #expect(members.allSatisfy { $0.storyID != "st_x" || ($0.storySize == 2 && $0.storyFirstSeen == t0) })
        #expect(try other.storyMembers(after: members[1].position, since: at(-3_600)).members.map(\.title) == ["Amazon pauses"])
        #expect(try other.storyMembers(after: 0, since: at(-250)).members.map(\.title) == ["Amazon pauses"])
        #expect(try other.storyMembers(since: at(-250)).map(\.title) == ["Amazon pauses"])
    }

    static func outbox(_ e: StoreEngine) throws {
        let store = try e.make()
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        try ingest(store, feedID: id, [ItemCandidate(FeedItem(id: "0", title: "Zero"))], now: t0) { _ in testAlert("a0") }
        // Registered after a0: a new sink starts from the newest alert.
        #expect(try store.registerSinks(["file:x", "stdout"]) == ["file:x", "stdout"])
        #expect(try store.registerSinks(["file:x"]).isEmpty)
        let story = Alert.Story(id: "st_1", size: 1, firstSeen: t0)
        try ingest(store, feedID: id, [ItemCandidate(FeedItem(id: "1", title: "One")), ItemCandidate(FeedItem(id: "2", title: "Two"))], now: at(1)) {
            testAlert("a\($0.id!)", title: $0.title, story: story)
        }
        let start = try #require(try store.sinkState(sink: "file:x")).cursor
        let pending = try store.alerts(after: start, limit: 10)
        #expect(pending.map(\.id) == ["a1", "a2"])
        #expect(pending.first?.alert?.story == story)
        #expect(try store.claimSink("file:x", lease: Lease(node: "a", seconds: 60)))
        // A failure is recorded; an acknowledgement moves the cursor and clears it.
        try store.fail(sink: "file:x", attempts: 2, nextAttemptAt: at(100), error: "disk full")
        var state = try #require(try store.sinkState(sink: "file:x"))
        #expect(state.attempts == 2 && state.nextAttemptAt == at(100) && state.lastError == "disk full")
        try store.acknowledge(sink: "file:x", through: pending[0].position, storySizes: ["st_1": 1])
        try store.acknowledge(sink: "file:x", through: pending[0].position, storySizes: ["st_1": 0])  // never shrinks
        state = try #require(try store.sinkState(sink: "file:x"))
        #expect(state.cursor == pending[0].position && state.attempts == 0 && state.nextAttemptAt == nil)
        #expect(try store.storySizes(sink: "file:x", stories: ["st_1", "st_none"]) == ["st_1": 1])
        // Dead letters: kept, requeued, removed; the cursor never moves back.
        try store.deadLetter(sink: "file:x", [pending[1]], attempts: 5, error: "HTTP 500", at: at(200), cursor: pending[1].position)
        #expect(try store.sinkState(sink: "file:x")?.cursor == pending[1].position)
        try store.deadLetter(sink: "file:x", [pending[1]], attempts: 6, error: "again", at: at(300), cursor: pending[0].position)
        #expect(try store.sinkState(sink: "file:x")?.cursor == pending[1].position)
        let dead = try store.deadLetters(sink: "file:x")
        #expect(dead.map(\.alert.id) == ["a2"] && dead.first?.attempts == 6 && dead.first?.requeued == false)
        #expect(dead.first?.alert.alert?.headline == "Two")
        #expect(try store.requeue(alertID: "a2") == 1 && store.requeue(alertID: "a2") == 0)
        #expect(try store.deadLetters(sink: nil).map(\.requeued) == [true])
        try store.removeDeadLetter(sink: "file:x", position: pending[1].position)
        #expect(try store.deadLetters(sink: nil).isEmpty)
        // A digest's summary time.
        try store.setSummaryTime(sink: "stdout", at: at(5))
        #expect(try store.sinkState(sink: "stdout")?.summaryAt == at(5))
        #expect(try store.alerts(createdFrom: at(1), to: at(2)).map(\.id) == ["a1", "a2"])
        // Moving a sink keeps the earlier place and the dead letters; forgetting drops them.
        try store.deadLetter(sink: "stdout", [pending[0]], attempts: 1, error: "x", at: at(6), cursor: start)
        try store.moveSink("stdout", to: "file:y")
        #expect(try store.knownSinks().keys.sorted() == ["file:x", "file:y"])
        #expect(try store.sinkState(sink: "file:y")?.cursor == start)
        #expect(try store.deadLetters(sink: "file:y").map(\.alert.id) == ["a1"])
        try store.forgetSink("file:y")
        #expect(try store.knownSinks().keys.sorted() == ["file:x"])
        #expect(try store.deadLetters(sink: nil).isEmpty)
        #expect { try store.forgetSink("nope") } throws: { ($0 as? StoreError)?.kind == .notFound }
    }

    static func retention(_ e: StoreEngine) throws {
        let store = try e.make()
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        try ingest(store, feedID: id, [ItemCandidate(FeedItem(id: "old", title: "Old"))], now: t0,
                   stories: ["old": StoryLink(id: "st_old", at: t0, title: "Old", topics: [], isNew: true)]) { _ in testAlert("a-old") }
        _ = try store.registerSinks(["file", "stdout"])
        try store.acknowledge(sink: "file", through: 0, storySizes: ["st_old": 1])
        try store.acknowledge(sink: "stdout", through: 0, storySizes: [:])
        try ingest(store, feedID: id, [ItemCandidate(FeedItem(id: "new", title: "New"))], now: at(86_400 * 100),
                   stories: ["new": StoryLink(id: "st_new", at: at(86_400 * 100), title: "New", topics: [], isNew: true)]) { _ in testAlert("a-new") }
        let old = try store.alerts(after: 0, limit: 10)[0]
        try store.acknowledge(sink: "file", through: old.position, storySizes: [:])
        // "stdout" never took anything: no alert may go yet.
        #expect(try store.prune(before: at(86_400 * 90), sinks: ["file", "stdout"]) == 1)
        #expect(try store.alerts(after: 0, limit: 10).map(\.id) == ["a-old", "a-new"])
        try store.acknowledge(sink: "stdout", through: old.position, storySizes: [:])
        _ = try store.prune(before: at(86_400 * 90), sinks: ["file", "stdout"])
        #expect(try store.alerts(after: 0, limit: 10).map(\.id) == ["a-new"])
        #expect(try store.sinkState(sink: "file")?.cursor == old.position)  // cursors survive their alert
        #expect(try store.stories(since: t0, limit: 10).map(\.id) == ["st_new"])
        #expect(try store.storySizes(sink: "file", stories: ["st_old"]).isEmpty)
        // The pruned item's key still dedupes: it comes back and is not new.
        #expect(try store.triage(feedID: id, [ItemCandidate(FeedItem(id: "old", title: "Old"))]) != [.new])
    }

    static func positions(_ e: StoreEngine) throws {
        let store = try e.make()
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        _ = try store.registerSinks(["file"])
        try ingest(store, feedID: id, [ItemCandidate(FeedItem(id: "1", title: "One"))], now: t0) { _ in testAlert("a1") }
        let first = try #require(try store.alerts(after: 0, limit: 10).first)
        try store.acknowledge(sink: "file", through: first.position, storySizes: [:])
        _ = try store.prune(before: at(86_400), sinks: ["file"])
        #expect(try store.alerts(after: 0, limit: 10).isEmpty)
        try ingest(store, feedID: id, [ItemCandidate(FeedItem(id: "2", title: "Two"))], now: at(86_400)) { _ in testAlert("a2") }
        #expect(try store.alerts(after: first.position, limit: 10).map(\.id) == ["a2"])
    }

    static func hostsAndHealth(_ e: StoreEngine) throws {
        let store = try e.make()
        let id = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        let health = Alert(id: "hl_1", emittedAt: t0, feed: Alert.Feed(url: "https://a.example/feed", title: nil),
                           health: Alert.Health(event: .failing, errorsInRow: 3, error: "HTTP 503"))
        try store.record([outcome(id, FetchOutcome(at: t0, status: 503, error: "HTTP 503", nextDueAt: at(120)), block: ("a.example", at(120)),
                                  alerts: [health])])
        try store.record([outcome(id, FetchOutcome(at: at(1), status: 503, error: "HTTP 503", nextDueAt: at(120)), block: ("a.example", at(60)),
                                  alerts: [health])])  // an earlier time never shortens a block; one alert id, one alert
        #expect(try store.blockedHosts(at: at(100)) == ["a.example": at(120)])
        #expect(try store.blockedHosts(at: at(120)).isEmpty)
        let stored = try store.alerts(after: 0, limit: 10)
        #expect(stored.map(\.id) == ["hl_1"])
        #expect(stored.first?.alert?.isHealth == true && stored.first?.alert?.health?.errorsInRow == 3)
        var f = try #require(try store.allFeeds().first)
        #expect(!f.silentAlerted)
        try store.record([FeedOutcome(feedID: id, fetch: FetchOutcome(at: at(2), status: 200, nextDueAt: at(200)), silentAlerted: true)])
        f = try #require(try store.allFeeds().first)
        #expect(f.silentAlerted && f.errorsInRow == 0)
    }
}
