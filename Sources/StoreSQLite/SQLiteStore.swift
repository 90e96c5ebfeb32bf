public import FeedwatchCore
public import Store

/// The embedded store: one SQLite file in WAL mode, behind every interface of the seam. One
/// instance per thread (the daemon's poller and its delivery thread each open their own). One
/// process writes at a time (`StoreLock`), so leases are not recorded: every claim succeeds.
/// Positions are row ids: SQLite has one writer at a time and a transaction's row ids are taken
/// inside it, so row id order is commit order.
public final class SQLiteStore: FeedQueue, ItemLedger, AlertOutbox, StoreReadModel, StoreMaintenance, StoryCorrecting {
    let db: SQLiteConnection
    private var filter: DedupeFilter?
    /// Story placement against corrections made by another process (`PlacementLock`).
    let placement: PlacementLock

    /// Opens (creating if need be) the store at `path` and brings its schema up to date.
    /// The file it keeps.
    public var path: String { db.path }

    public init(path: String) throws(StoreError) {
        db = try SQLiteConnection(path: path)
        placement = PlacementLock(storePath: path)
        try migrate()
    }

    /// Waits while a correction by hand is being written, and keeps corrections out until this
    /// writer's next `apply` (or `releasePlacement`).
    public func holdPlacement() throws(StoreError) { try placement.hold() }
    public func releasePlacement() { placement.release() }

    /// The schema version this build writes.
    public static var schemaVersion: Int { Schema.migrations.count }

    /// Brings the schema up to date in one write transaction that re-reads the version inside
    /// it: when two processes open a new store at once, one migrates and the other waits for the
    /// lock (the busy timeout), then finds nothing left to do.
    private func migrate() throws(StoreError) {
        let known = Schema.migrations.count
        func version() throws(StoreError) -> Int {
            let version = Int(try db.query("PRAGMA user_version").first?.int("user_version") ?? 0)
            guard version <= known else {
                throw StoreError(.schema, "\(db.path) was written by a newer feedwatch (schema \(version), this one knows \(known))")
            }
            return version
        }
        guard try version() < known else { return }
        try db.transaction { () throws(StoreError) in
            for sql in Schema.migrations.dropFirst(try version()) { try db.execute(sql) }
            try db.execute("PRAGMA user_version = \(known)")
        }
    }

    // MARK: Feeds

    public func syncFeeds(_ entries: [(url: String, entry: String)], now: Timestamp) throws(StoreError) -> [FeedRecord] {
        var changed = false
        var current: [FeedRecord] = []
        try write { () throws(StoreError) in
            // Only what changed is written: the daemon syncs every cycle, with thousands of feeds.
            var stored: [String: (entry: String, active: Bool)] = [:]
            for row in try db.query(Self.selectAllFeeds) {
                guard let url = row.text(at: 1) else { continue }
                let active = row.int(at: 17) == 1
                stored[url] = (row.text(at: 16) ?? "", active)
                if active { current.append(Self.feed(row)) }
            }
            var wanted = Set<String>()
            for (url, entry) in entries {
                wanted.insert(url)
                guard let old = stored[url] else {
                    try db.run("INSERT INTO feeds (url, current_url, entry, next_due_at) VALUES (?1, ?1, ?2, ?3)",
                               [.text(url), .text(entry), .integer(now.secondsSince1970)])
                    changed = true
                    continue
                }
                if old.entry != entry || !old.active { changed = true }
                if old.entry != entry {
                    // A changed entry is a new start: due now, not gone, no backoff.
                    try db.run("UPDATE feeds SET active = 1, entry = ?2, gone = 0, errors_in_row = 0, next_due_at = ?3 WHERE url = ?1",
                               [.text(url), .text(entry), .integer(now.secondsSince1970)])
                } else if !old.active {
                    try db.run("UPDATE feeds SET active = 1 WHERE url = ?", [.text(url)])
                }
            }
            for (url, old) in stored where old.active && !wanted.contains(url) {
                try db.run("UPDATE feeds SET active = 0 WHERE url = ?", [.text(url)])
                changed = true
            }
        }
        // Unchanged (every cycle but the first after a config edit): the rows already read.
        return changed ? try db.query(Self.selectActiveFeeds).map(Self.feed) : current
    }

    /// One process holds the store: the lease is not recorded.
    public func claimDue(at now: Timestamp, limit: Int, lease: Lease) throws(StoreError) -> [FeedRecord] {
        try db.query(Self.selectDueFeeds, [.integer(now.secondsSince1970), .integer(Int64(limit))]).map(Self.feed)
    }

    public func nextDue() throws(StoreError) -> Timestamp? {
        try db.query("SELECT min(next_due_at) AS due FROM feeds WHERE active AND NOT gone")
            .first?.int("due").map(Timestamp.init(secondsSince1970:))
    }

    public func record(_ outcomes: [FeedOutcome]) throws(StoreError) {
        guard !outcomes.isEmpty else { return }
        try write { () throws(StoreError) in
            for o in outcomes {
                if let moved = o.fetch.movedTo {
                    try db.run("INSERT OR IGNORE INTO feed_old_urls (feed_id, url) SELECT id, current_url FROM feeds WHERE id = ?",
                               [.integer(o.feedID)])
                    try db.run("UPDATE feeds SET current_url = ? WHERE id = ?", [.text(moved), .integer(o.feedID)])
                }
                try recordOutcome(feedID: o.feedID, o.fetch)
                if let (host, until) = o.blockHost {
                    try db.run("""
                        INSERT INTO hosts (host, blocked_until) VALUES (?1, ?2)
                        ON CONFLICT (host) DO UPDATE SET blocked_until = max(blocked_until, excluded.blocked_until)
                        """, [.text(host), .integer(until.secondsSince1970)])
                }
                if let silent = o.silentAlerted {
                    try db.run("UPDATE feeds SET silent_alerted = ? WHERE id = ?", [.integer(silent ? 1 : 0), .integer(o.feedID)])
                }
                for alert in o.alerts {
                    try db.run("INSERT OR IGNORE INTO alerts (alert_id, item_id, created_at, record) VALUES (?, NULL, ?, ?)",
                               [.text(alert.id), .integer(o.fetch.at.secondsSince1970), .text(alert.record)])
                }
            }
        }
    }

    private func recordOutcome(feedID: Int64, _ o: FetchOutcome) throws(StoreError) {
        try db.run("""
            UPDATE feeds SET
                last_fetch_at = ?2, last_status = ?3, last_error = ?4, next_due_at = ?5, gone = ?6,
                errors_in_row = CASE WHEN ?4 IS NULL THEN 0 ELSE errors_in_row + 1 END,
                last_success_at = CASE WHEN ?4 IS NULL THEN ?2 ELSE last_success_at END,
                etag = CASE WHEN ?4 IS NULL AND ?3 <> 304 THEN ?7 ELSE etag END,
                last_modified = CASE WHEN ?4 IS NULL AND ?3 <> 304 THEN ?8 ELSE last_modified END,
                fetched_once = fetched_once OR ?9
            WHERE id = ?1
            """, [.integer(feedID), .integer(o.at.secondsSince1970), o.status.map { .integer(Int64($0)) } ?? .null,
                  o.error.map(SQLValue.text) ?? .null, .integer(o.nextDueAt.secondsSince1970), .integer(o.gone ? 1 : 0),
                  o.etag.map(SQLValue.text) ?? .null, o.lastModified.map(SQLValue.text) ?? .null, .integer(o.error == nil ? 1 : 0)])
    }

    // MARK: Items

    public func triage(feedID: Int64, _ candidates: [ItemCandidate]) throws(StoreError) -> [Triage] {
        try db.read { () throws(StoreError) -> [Triage] in try triageReads(feedID: feedID, candidates) }
    }

    private func triageReads(feedID: Int64, _ candidates: [ItemCandidate]) throws(StoreError) -> [Triage] {
        // A feed with nothing stored yet (its first fetch: every item of a cold cycle) needs no
        // lookup per item, which could only miss.
        let empty = try db.first("SELECT 1 FROM items WHERE feed_id = ? LIMIT 1", [.integer(feedID)], { _ in true }) == nil
        let filter = try dedupeFilter()
        var out: [Triage] = []
        out.reserveCapacity(candidates.count)
        for c in candidates {
            if !empty, let same = try db.first("SELECT content_hash FROM items WHERE feed_id = ? AND entry_key = ?",
                                               [.integer(feedID), .text(c.entryKey)], { $0.text(at: 0, equals: c.contentHash) }) {
                out.append(same ? .unchanged : .updated)
                continue
            }
            out.append(try original(of: c, filter) != nil ? .copy : .new)
        }
        return out
    }

    /// The stored article `c` copies, if any: the same canonical link or the same text on the
    /// same site, under any feed. Two plain index lookups (an OR of both made SQLite sort through
    /// a temporary tree), asked only when the filter cannot rule a copy out.
    private func original(of c: ItemCandidate, _ filter: DedupeFilter) throws(StoreError) -> Int64? {
        if let k = c.articleKey, filter.mayContain(k),
           let id = try db.first("SELECT coalesce(duplicate_of, id) FROM items WHERE article_key = ? LIMIT 1", [.integer(k)], { $0.int(at: 0) }) ?? nil {
            return id
        }
        if let k = c.textKey, filter.mayContain(k),
           let id = try db.first("SELECT coalesce(duplicate_of, id) FROM items WHERE text_key = ? LIMIT 1", [.integer(k)], { $0.int(at: 0) }) ?? nil {
            return id
        }
        return nil
    }

    /// All documents in one transaction: every commit rewrites the index pages it dirtied, and
    /// the dedupe indexes (keyed by hashes) are dirtied all over, so the poller hands over hundreds
    /// of documents at a time, not one.
    /// The position is the newest item's row id. With one writer (`StoreLock`) nobody else moves
    /// it, so the check below never fails in practice; it is made anyway, as the interface says.
    public func apply(_ documents: [DocumentIntents], basedOn position: Int64) throws(StoreError) -> Int64 {
        defer { releasePlacement() }  // after the commit: a correction waiting goes in before the next batch reads
        guard !documents.isEmpty else { return position }
        let filter = try dedupeFilter()
        do {
            return try write { () throws(StoreError) -> Int64 in
                let current = try ledgerPosition()
                guard current <= position else {
                    throw StoreError(.conflict, "\(db.path): items were stored after position \(position) (now \(current)): decide again")
                }
                // A feed's items may come in several runs (the poller interleaves a batch's feeds
                // in publication order): its counts move once, over all of them.
                var found: [Int64: (at: Int64, new: Int, dates: [Int64])] = [:]
                var order: [Int64] = []
                for document in documents {
                    let (new, dates) = try apply(document, filter)
                    if found[document.feedID] == nil { order.append(document.feedID) }
                    found[document.feedID, default: (document.at.secondsSince1970, 0, [])].new += new
                    found[document.feedID]!.dates += dates
                }
                for feed in order { try countNew(feed: feed, found[feed]!) }
                return try ledgerPosition()
            }
        } catch {
            self.filter = nil  // it may hold keys of rows that were never committed: read afresh
            throw error
        }
    }

    private func ledgerPosition() throws(StoreError) -> Int64 {
        try db.first("SELECT max(id) FROM items", []) { $0.int(at: 0) ?? 0 } ?? 0
    }

    /// Returns how many items were new and their publication dates.
    private func apply(_ d: DocumentIntents, _ filter: DedupeFilter) throws(StoreError) -> (Int, [Int64]) {
        let now = d.at.secondsSince1970
        var dates: [Int64] = []
        var new = 0
        for intent in d.items {
            let c = intent.candidate
            let item = c.item
            switch intent.action {
            case .touch:
                try db.run("UPDATE items SET last_seen = ? WHERE feed_id = ? AND entry_key = ?",
                           [.integer(now), .integer(d.feedID), .text(c.entryKey)])
            case .update:
                try db.run("""
                    UPDATE items SET content_hash = ?, link = ?, title = ?, summary = ?, published = ?, last_seen = ?
                    WHERE feed_id = ? AND entry_key = ?
                    """, [.text(c.contentHash), Self.text(item.link), Self.text(item.title), Self.text(item.summary),
                          item.published.map { .integer($0.secondsSince1970) } ?? .null, .integer(now),
                          .integer(d.feedID), .text(c.entryKey)])
            case .insert, .insertCopy:
                var original: Int64?
                if case .insertCopy = intent.action { original = try self.original(of: c, filter) }
                // The item's story goes in with it, not by an UPDATE after: one statement (and one
                // write of the story indexes) less per grouped item.
                var story: StoryLink?
                if case .insert(let s?, _) = intent.action { story = s }
                let inserted = try db.run("""
                    INSERT INTO items (feed_id, entry_key, content_hash, link, title, summary, published, first_seen, last_seen,
                                       article_key, text_key, duplicate_of, story_id, story_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (feed_id, entry_key) DO NOTHING
                    """, [.integer(d.feedID), .text(c.entryKey), .text(c.contentHash), Self.text(item.link), Self.text(item.title),
                          Self.text(item.summary), item.published.map { .integer($0.secondsSince1970) } ?? .null,
                          .integer(now), .integer(now), c.articleKey.map(SQLValue.integer) ?? .null, c.textKey.map(SQLValue.integer) ?? .null,
                          original.map(SQLValue.integer) ?? .null, story.map { .text($0.id) } ?? .null,
                          story.map { .integer($0.at.secondsSince1970) } ?? .null])
                guard inserted == 1 else {
                    throw StoreError(.conflict, "\(db.path): item \(c.entryKey) of feed \(d.feedID) was stored since it was triaged")
                }
                let id = db.lastInsertRowID
                for k in [c.articleKey, c.textKey].compactMap({ $0 }) { filter.add(k) }
                filter.newestItem = id
                new += 1
                if let p = item.published { dates.append(p.secondsSince1970) }
                if case .insert(_, let alert) = intent.action {
                    if let story { try link(story, now: d.at) }
                    if let alert {
                        try db.run("INSERT INTO alerts (alert_id, item_id, created_at, record) VALUES (?, ?, ?, ?)",
                                   [.text(alert.id), .integer(id), .integer(now), .text(alert.record)])
                    }
                }
            }
        }
        return (new, dates)
    }

    private func countNew(feed: Int64, _ f: (at: Int64, new: Int, dates: [Int64])) throws(StoreError) {
        let (now, new, dates) = f
        guard new > 0 else { return }
        // The publishing rate, for adaptive polling: a moving average of the time between polls
        // that found something new. The first such poll has no previous one: the spread of its
        // items' dates stands in.
        let seed: SQLValue = dates.count >= 2 ? .integer((dates.max()! - dates.min()!) / Int64(dates.count - 1)) : .null
        // Gaps the estimate rests on: the dated items' gaps for the seed, then one per poll.
        let seedGaps = Int64(max(0, dates.count - 1))
        try db.run("""
            UPDATE feeds SET items_seen = items_seen + ?2,
                publish_gap = CASE WHEN last_new_at IS NULL THEN ?4
                                   WHEN publish_gap IS NULL THEN ?3 - last_new_at
                                   ELSE (publish_gap * 3 + (?3 - last_new_at)) / 4 END,
                gaps_seen = gaps_seen + CASE WHEN last_new_at IS NULL THEN ?5 ELSE 1 END,
                last_new_at = ?3
            WHERE id = ?1
            """, [.integer(feed), .integer(Int64(new)), .integer(now), seed, .integer(seedGaps)])
    }

    // MARK: Stories

    /// The story row of an item just stored in it (the item row names the story already).
    private func link(_ story: StoryLink, now: Timestamp) throws(StoreError) {
        let row: [SQLValue] = [.text(story.id), Self.text(story.title), .integer(now.secondsSince1970),
                               .text(story.topics.joined(separator: "\n"))]
        // A story grouping has just started is inserted without being looked up first: most
        // grouped items start a story, and the look-up was one statement in four per grouped
        // item. Should the store hold the id after all, it is updated as any known story is.
        var inserted = false
        if story.isNew {
            inserted = try db.run("""
                INSERT INTO stories (id, title, first_seen, last_seen, size, topics) VALUES (?1, ?2, ?3, ?3, 1, ?4)
                ON CONFLICT (id) DO NOTHING
                """, row) == 1
        }
        if !inserted {
            let known: String? = try db.first("SELECT topics FROM stories WHERE id = ?", [.text(story.id)]) { $0.string(at: 0) ?? "" }
            if let known {
                var topics = known.split(separator: "\n").map(String.init)
                for t in story.topics where !topics.contains(t) { topics.append(t) }
                try db.run("UPDATE stories SET size = size + 1, last_seen = max(last_seen, ?2), topics = ?3 WHERE id = ?1",
                           [.text(story.id), .integer(now.secondsSince1970), .text(topics.joined(separator: "\n"))])
            } else {
                try db.run("INSERT INTO stories (id, title, first_seen, last_seen, size, topics) VALUES (?1, ?2, ?3, ?3, 1, ?4)", row)
            }
        }
        if !story.absorbed.isEmpty { try absorb(story.absorbed, into: story.id, now: now) }
    }

    public func storyMembers(after position: Int64, since: Timestamp) throws(StoreError) -> StoryMembers {
        // One snapshot: the position and the members at or below it.
        try db.read { () throws(StoreError) -> StoryMembers in
            let through = try ledgerPosition()
            return StoryMembers(members: try members(where: "i.story_at >= ? AND i.id > ? AND i.id <= ?",
                                                     [.integer(since.secondsSince1970), .integer(position), .integer(through)]),
                                through: max(through, position))
        }
    }

    public func storyMembers(since: Timestamp) throws(StoreError) -> [StoryMember] {
        try members(where: "i.story_at >= ?", [.integer(since.secondsSince1970)])
    }

    private func members(where condition: String, _ values: [SQLValue]) throws(StoreError) -> [StoryMember] {
        try db.query("""
            SELECT i.id, i.feed_id, i.entry_key, i.title, i.summary, i.story_at, s.id, s.size, s.first_seen
            FROM items i JOIN stories s ON s.id = i.story_id
            WHERE i.story_id IS NOT NULL AND \(condition)
            ORDER BY i.story_at, i.id
            """, values).map { r in
            StoryMember(position: r.int(at: 0) ?? 0, item: ItemKey(feedID: r.int(at: 1) ?? 0, entryKey: r.text(at: 2) ?? ""),
                        title: r.text(at: 3), summary: r.text(at: 4), at: Timestamp(secondsSince1970: r.int(at: 5) ?? 0),
                        storyID: r.text(at: 6) ?? "", storySize: Int(r.int(at: 7) ?? 1),
                        storyFirstSeen: Timestamp(secondsSince1970: r.int(at: 8) ?? 0))
        }
    }

    /// The items first seen since `since`, copies of an article left out (they never alert), in
    /// the order they were stored: what `classify --stored` re-reads. Only what the store keeps
    /// of an item — title, summary, link, dates — comes back.
    public func storedItems(seenSince since: Timestamp) throws(StoreError) -> [StoredItem] {
        try db.query("""
            SELECT f.url, i.entry_key, i.title, i.summary, i.link, i.published, i.first_seen FROM items i JOIN feeds f ON f.id = i.feed_id
            WHERE i.first_seen >= ? AND i.duplicate_of IS NULL ORDER BY i.id
            """, [.integer(since.secondsSince1970)]).map { r in
            let key = r.text(at: 1) ?? ""
            return StoredItem(feedURL: r.text(at: 0) ?? "", id: key.hasPrefix("id:") ? String(key.dropFirst(3)) : nil,
                              title: r.text(at: 2), summary: r.text(at: 3), link: r.text(at: 4),
                              published: r.int(at: 5).map(Timestamp.init(secondsSince1970:)),
                              firstSeen: Timestamp(secondsSince1970: r.int(at: 6) ?? 0))
        }
    }

    public func stories(since: Timestamp, limit: Int) throws(StoreError) -> [StoredStory] {
        try storyRecords("WHERE last_seen >= ? ORDER BY size DESC, first_seen, id LIMIT ?", [.integer(since.secondsSince1970), .integer(Int64(limit))])
    }

    public func story(id: String) throws(StoreError) -> StoredStory? {
        try storyRecords("WHERE id = ?", [.text(id)]).first
    }

    /// The stories `filter` (a WHERE clause and what follows) selects, with their items and copies.
    private func storyRecords(_ filter: String, _ values: [SQLValue]) throws(StoreError) -> [StoredStory] {
        let heads = try db.query("SELECT id, title, size, first_seen, last_seen, topics FROM stories " + filter, values)
        var out: [StoredStory] = []
        for h in heads {
            let id = h.text(at: 0) ?? ""
            var items: [StoredStory.Item] = []
            for r in try db.query("""
                SELECT i.id, f.url, i.entry_key, i.title, i.link, i.published, i.story_at FROM items i JOIN feeds f ON f.id = i.feed_id
                WHERE i.story_id = ? ORDER BY i.story_at, i.id
                """, [.text(id)]) {
                let key = r.text(at: 2) ?? ""
                let copies = try db.query("""
                    SELECT f.url, i.link FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.duplicate_of = ? ORDER BY i.id
                    """, [.integer(r.int(at: 0) ?? 0)]).map { (feed: $0.text(at: 0) ?? "", link: $0.text(at: 1)) }
                items.append(StoredStory.Item(feed: r.text(at: 1) ?? "", id: key.hasPrefix("id:") ? String(key.dropFirst(3)) : nil,
                                              title: r.text(at: 3), link: r.text(at: 4),
                                              published: r.int(at: 5).map(Timestamp.init(secondsSince1970:)), duplicates: copies,
                                              placedAt: Timestamp(secondsSince1970: r.int(at: 6) ?? 0)))
            }
            // One story, one face: the title of its earliest-published item, items in publication order.
            out.append(StoredStory(id: id, title: items.first?.title ?? h.text(at: 1), size: Int(h.int(at: 2) ?? 0),
                                   firstSeen: Timestamp(secondsSince1970: h.int(at: 3) ?? 0),
                                   lastSeen: Timestamp(secondsSince1970: h.int(at: 4) ?? 0),
                                   topics: (h.text(at: 5) ?? "").split(separator: "\n").map(String.init), items: items))
        }
        return out
    }

    public func storySizes(sink: String, stories: [String]) throws(StoreError) -> [String: Int] {
        var out: [String: Int] = [:]
        for story in Set(stories) {
            if let size = try db.first("SELECT size FROM sink_stories WHERE sink = ? AND story_id = ?", [.text(sink), .text(story)],
                                       { $0.int(at: 0) }) ?? nil {
                out[story] = Int(size)
            }
        }
        return out
    }

    public func claimSink(_ sink: String, lease: Lease) throws(StoreError) -> Bool { true }

    public func acknowledge(sink: String, through position: Int64, storySizes: [String: Int]) throws(StoreError) {
        try write { () throws(StoreError) in
            try db.run("""
                INSERT INTO sink_cursors (sink, last_alert_rowid) VALUES (?1, ?2)
                ON CONFLICT (sink) DO UPDATE SET last_alert_rowid = excluded.last_alert_rowid, attempts = 0, next_attempt_at = NULL,
                    last_error = NULL
                """, [.text(sink), .integer(position)])
            for (story, size) in storySizes {
                try db.run("""
                    INSERT INTO sink_stories (sink, story_id, size) VALUES (?1, ?2, ?3)
                    ON CONFLICT (sink, story_id) DO UPDATE SET size = max(size, excluded.size)
                    """, [.text(sink), .text(story), .integer(Int64(size))])
            }
        }
    }

    public func alerts(after position: Int64, limit: Int) throws(StoreError) -> [StoredAlert] {
        try db.query("SELECT rowid, alert_id, record, created_at FROM alerts WHERE rowid > ? ORDER BY rowid LIMIT ?",
                     [.integer(position), .integer(Int64(limit))]).compactMap { row in
            guard let p = row.int(at: 0), let id = row.text(at: 1), let record = row.text(at: 2) else { return nil }
            return StoredAlert(position: p, id: id, createdAt: Timestamp(secondsSince1970: row.int(at: 3) ?? 0), record: record)
        }
    }

    private func cursor(sink: String) throws(StoreError) -> Int64? {
        try db.query("SELECT last_alert_rowid FROM sink_cursors WHERE sink = ?", [.text(sink)]).first?.int("last_alert_rowid")
    }

    public func lastAlertPosition() throws(StoreError) -> Int64 {
        try db.query("SELECT max(rowid) AS last FROM alerts").first?.int("last") ?? 0
    }

    public func registerSinks(_ names: [String]) throws(StoreError) -> [String] {
        try write { () throws(StoreError) -> [String] in
            var added: [String] = []
            for name in names {
                let changed = try db.run("""
                    INSERT INTO sink_cursors (sink, last_alert_rowid) SELECT ?1, coalesce(max(position), 0) FROM alerts WHERE true
                    ON CONFLICT (sink) DO NOTHING
                    """, [.text(name)])
                if changed > 0 { added.append(name) }
            }
            return added
        }
    }

    public func knownSinks() throws(StoreError) -> [String: SinkState] {
        var out: [String: SinkState] = [:]
        for row in try db.query("SELECT sink, last_alert_rowid, attempts, next_attempt_at, last_error, summary_at FROM sink_cursors") {
            guard let name = row.text(at: 0) else { continue }
            out[name] = SinkState(cursor: row.int(at: 1) ?? 0, attempts: Int(row.int(at: 2) ?? 0),
                                  nextAttemptAt: row.int(at: 3).map(Timestamp.init(secondsSince1970:)),
                                  lastError: row.text(at: 4), summaryAt: row.int(at: 5).map(Timestamp.init(secondsSince1970:)))
        }
        return out
    }

    public func alertCount(after position: Int64) throws(StoreError) -> Int {
        let n: Int64?? = try db.first("SELECT count(*) FROM alerts WHERE position > ?", [.integer(position)]) { $0.int(at: 0) }
        return Int((n ?? 0) ?? 0)
    }

    public func moveSink(_ old: String, to new: String) throws(StoreError) {
        try write { () throws(StoreError) in
            guard let from = try sinkState(sink: old) else { throw StoreError(.notFound, "no sink \(old) in the store") }
            try db.run("""
                INSERT INTO sink_cursors (sink, last_alert_rowid) VALUES (?1, ?2)
                ON CONFLICT (sink) DO UPDATE SET last_alert_rowid = min(last_alert_rowid, excluded.last_alert_rowid)
                """, [.text(new), .integer(from.cursor)])
            try db.run("""
                INSERT INTO dead_letters (sink, alert_rowid, alert_id, record, attempts, error, dead_at, requeued)
                SELECT ?2, alert_rowid, alert_id, record, attempts, error, dead_at, requeued FROM dead_letters WHERE sink = ?1
                ON CONFLICT (sink, alert_rowid) DO NOTHING
                """, [.text(old), .text(new)])
            try forget(sink: old)
        }
    }

    public func forgetSink(_ name: String) throws(StoreError) {
        try write { () throws(StoreError) in
            guard try sinkState(sink: name) != nil else { throw StoreError(.notFound, "no sink \(name) in the store") }
            try forget(sink: name)
        }
    }

    private func forget(sink: String) throws(StoreError) {
        for table in ["dead_letters", "sink_stories", "sink_cursors"] {
            try db.run("DELETE FROM \(table) WHERE sink = ?", [.text(sink)])
        }
    }

    /// The filter over every stored item's dedupe keys, with any rows another process stored since
    /// read in (a `once` next to a running daemon); rebuilt larger when it fills up.
    private func dedupeFilter() throws(StoreError) -> DedupeFilter {
        if let f = filter, f.count < f.capacity {
            let newest: Int64? = try db.first("SELECT max(id) FROM items", []) { $0.int(at: 0) } ?? nil
            if let newest, newest > f.newestItem { try readKeys(into: f, after: f.newestItem) }
            return f
        }
        let items: Int64 = try db.first("SELECT count(*) FROM items", []) { $0.int(at: 0) ?? 0 } ?? 0
        let f = DedupeFilter(capacity: Int(items) * 4 + 200_000)
        try readKeys(into: f, after: 0)
        filter = f
        return f
    }

    private func readKeys(into f: DedupeFilter, after id: Int64) throws(StoreError) {
        for row in try db.query("SELECT id, article_key, text_key FROM items WHERE id > ? ORDER BY id", [.integer(id)]) {
            if let k = row.int(at: 1) { f.add(k) }
            if let k = row.int(at: 2) { f.add(k) }
            f.newestItem = row.int(at: 0) ?? f.newestItem
        }
    }

    // MARK: Outbox

    public func alerts(createdFrom from: Timestamp, to: Timestamp) throws(StoreError) -> [StoredAlert] {
        try db.query("SELECT rowid, alert_id, record, created_at FROM alerts WHERE created_at >= ? AND created_at < ? ORDER BY rowid",
                     [.integer(from.secondsSince1970), .integer(to.secondsSince1970)]).compactMap { row in
            guard let p = row.int(at: 0), let id = row.text(at: 1), let record = row.text(at: 2) else { return nil }
            return StoredAlert(position: p, id: id, createdAt: Timestamp(secondsSince1970: row.int(at: 3) ?? 0), record: record)
        }
    }

    public func sinkState(sink: String) throws(StoreError) -> SinkState? {
        try db.first("SELECT last_alert_rowid, attempts, next_attempt_at, last_error, summary_at FROM sink_cursors WHERE sink = ?",
                     [.text(sink)]) { s in
            SinkState(cursor: s.int(at: 0) ?? 0, attempts: Int(s.int(at: 1) ?? 0), nextAttemptAt: s.int(at: 2).map(Timestamp.init(secondsSince1970:)),
                      lastError: s.string(at: 3), summaryAt: s.int(at: 4).map(Timestamp.init(secondsSince1970:)))
        }
    }

    public func fail(sink: String, attempts: Int, nextAttemptAt: Timestamp, error: String) throws(StoreError) {
        // Zero attempts: the sink works again, nothing to wait for.
        try db.run("""
            UPDATE sink_cursors SET attempts = ?2, next_attempt_at = CASE WHEN ?2 = 0 THEN NULL ELSE ?3 END,
                last_error = CASE WHEN ?2 = 0 THEN NULL ELSE ?4 END
            WHERE sink = ?1
            """,
                   [.text(sink), .integer(Int64(attempts)), .integer(nextAttemptAt.secondsSince1970), .text(error)])
    }

    public func setSummaryTime(sink: String, at: Timestamp) throws(StoreError) {
        try db.run("UPDATE sink_cursors SET summary_at = ?2 WHERE sink = ?1", [.text(sink), .integer(at.secondsSince1970)])
    }

    public func deadLetter(sink: String, _ alerts: [StoredAlert], attempts: Int, error: String, at: Timestamp,
                           cursor: Int64) throws(StoreError) {
        try write { () throws(StoreError) in
            for a in alerts {
                try db.run("""
                    INSERT INTO dead_letters (sink, alert_rowid, alert_id, record, attempts, error, dead_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (sink, alert_rowid) DO UPDATE SET attempts = excluded.attempts, error = excluded.error,
                        dead_at = excluded.dead_at, requeued = 0
                    """, [.text(sink), .integer(a.position), .text(a.id), .text(a.record), .integer(Int64(attempts)), .text(error),
                          .integer(at.secondsSince1970)])
            }
            try db.run("""
                UPDATE sink_cursors SET last_alert_rowid = max(last_alert_rowid, ?2), attempts = 0, next_attempt_at = NULL, last_error = NULL
                WHERE sink = ?1
                """, [.text(sink), .integer(cursor)])
        }
    }

    public func deadLetters(sink: String?) throws(StoreError) -> [DeadLetter] {
        let sql = "SELECT sink, alert_rowid, alert_id, record, attempts, error, dead_at, requeued FROM dead_letters"
        let rows: [Row]
        if let sink { rows = try db.query(sql + " WHERE sink = ? ORDER BY alert_rowid", [.text(sink)]) } else {
            rows = try db.query(sql + " ORDER BY sink, alert_rowid")
        }
        return rows.map { r in
            DeadLetter(sink: r.text(at: 0) ?? "", alert: StoredAlert(position: r.int(at: 1) ?? 0, id: r.text(at: 2) ?? "",
                                                                     createdAt: Timestamp(secondsSince1970: r.int(at: 6) ?? 0), record: r.text(at: 3) ?? ""),
                       attempts: Int(r.int(at: 4) ?? 0), error: r.text(at: 5) ?? "", deadAt: Timestamp(secondsSince1970: r.int(at: 6) ?? 0),
                       requeued: r.int(at: 7) == 1)
        }
    }

    public func requeue(alertID: String?) throws(StoreError) -> Int {
        if let alertID { return try db.run("UPDATE dead_letters SET requeued = 1 WHERE alert_id = ? AND NOT requeued", [.text(alertID)]) }
        return try db.run("UPDATE dead_letters SET requeued = 1 WHERE NOT requeued")
    }

    public func removeDeadLetter(sink: String, position: Int64) throws(StoreError) {
        try db.run("DELETE FROM dead_letters WHERE sink = ? AND alert_rowid = ?", [.text(sink), .integer(position)])
    }

    public func blockedHosts(at now: Timestamp) throws(StoreError) -> [String: Timestamp] {
        try db.run("DELETE FROM hosts WHERE blocked_until <= ?", [.integer(now.secondsSince1970)])
        var out: [String: Timestamp] = [:]
        for row in try db.query("SELECT host, blocked_until FROM hosts") {
            if let host = row.text("host"), let until = row.int("blocked_until") { out[host] = Timestamp(secondsSince1970: until) }
        }
        return out
    }

    public func prune(before cutoff: Timestamp, sinks: [String]) throws(StoreError) -> Int {
        try write { () throws(StoreError) -> Int in
            let pruned = try db.run("""
                UPDATE items SET link = NULL, title = NULL, summary = NULL
                WHERE last_seen < ? AND (link IS NOT NULL OR title IS NOT NULL OR summary IS NOT NULL)
                """, [.integer(cutoff.secondsSince1970)])
            // An alert record goes only once every configured sink's cursor is past it.
            var delivered = Int64.max
            for sink in sinks { delivered = min(delivered, try cursor(sink: sink) ?? 0) }
            if !sinks.isEmpty {
                try db.run("DELETE FROM alerts WHERE created_at < ? AND rowid <= ?", [.integer(cutoff.secondsSince1970), .integer(delivered)])
            }
            // Stories nobody added to since the cutoff go, with what the sinks knew of them (their
            // items keep their story id; `stories` no longer lists it).
            if try db.run("DELETE FROM stories WHERE last_seen < ?", [.integer(cutoff.secondsSince1970)]) > 0 {
                try db.run("DELETE FROM sink_stories WHERE story_id NOT IN (SELECT id FROM stories)")
            }
            return pruned
        }
    }

    public func feedCounts() throws(StoreError) -> (feeds: Int, failing: Int) {
        try db.first("SELECT count(*), coalesce(sum(errors_in_row > 0 AND NOT gone), 0) FROM feeds WHERE active", []) {
            (Int($0.int(at: 0) ?? 0), Int($0.int(at: 1) ?? 0))
        } ?? (0, 0)
    }

    public func allFeeds() throws(StoreError) -> [FeedRecord] {
        try db.query(Self.selectActiveFeeds).map(Self.feed)
    }

    // MARK: Helpers

    func write<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try db.transaction(body)
    }

    static func text(_ s: String?) -> SQLValue { s.map(SQLValue.text) ?? .null }

    /// The columns a `FeedRecord` is read from, by position (a lookup by name per column per row
    /// was most of reading 10,000 feeds), then `entry` and `active` for the sync.
    private static let feedColumns = """
        id, url, current_url, etag, last_modified, last_fetch_at, last_status, last_error, errors_in_row, \
        next_due_at, gone, fetched_once, items_seen, publish_gap, last_new_at, silent_alerted, entry, active, gaps_seen
        """
    private static let selectAllFeeds = "SELECT \(feedColumns) FROM feeds ORDER BY id"
    private static let selectActiveFeeds = "SELECT \(feedColumns) FROM feeds WHERE active ORDER BY id"
    private static let selectDueFeeds = """
        SELECT \(feedColumns) FROM feeds WHERE active AND NOT gone AND next_due_at <= ? ORDER BY next_due_at, id LIMIT ?
        """

    private static func feed(_ r: Row) -> FeedRecord {
        FeedRecord(
            id: r.int(at: 0) ?? 0, url: r.text(at: 1) ?? "", currentURL: r.text(at: 2) ?? "",
            etag: r.text(at: 3), lastModified: r.text(at: 4),
            lastFetchAt: r.int(at: 5).map(Timestamp.init(secondsSince1970:)),
            lastStatus: r.int(at: 6).map(Int.init), lastError: r.text(at: 7),
            errorsInRow: Int(r.int(at: 8) ?? 0),
            nextDueAt: Timestamp(secondsSince1970: r.int(at: 9) ?? 0),
            gone: r.int(at: 10) == 1, fetchedOnce: r.int(at: 11) == 1, itemsSeen: Int(r.int(at: 12) ?? 0),
            publishGap: r.int(at: 13).map(Int.init), lastNewAt: r.int(at: 14).map(Timestamp.init(secondsSince1970:)),
            silentAlerted: r.int(at: 15) == 1, gapsSeen: Int(r.int(at: 18) ?? 0))
    }
}
