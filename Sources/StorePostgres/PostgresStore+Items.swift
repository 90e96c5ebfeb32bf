public import FeedwatchCore
public import Store

/// The item ledger. Placement in stories is serialized across the fleet: a node holds the
/// placement lock (a session advisory lock) from its catch-up read until its apply commits, so
/// the story index it decides with is the ledger as it will be when its decisions commit — the
/// same stories one node would make. `apply` still checks its basis, under the ledger lock.
extension PostgresStore {
    public func holdPlacement() throws(StoreError) {
        // Held in this session; a lock taken in a session the server dropped went with it.
        guard placementSession != db.session else { return }
        let started = Monotonic.seconds()
        try db.execute("SELECT pg_advisory_lock(\(PGSchema.Lock.placement))")
        placementWaitSeconds += Monotonic.seconds() - started
        placementSession = db.session
    }

    /// Another session queued for the placement lock (an advisory lock on one bigint key is
    /// `classid` its high half, `objid` its low half, `objsubid` 1, in this database).
    public func placementWanted() throws(StoreError) -> Bool {
        try db.first("""
            SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
                           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                           AND classid::bigint = $1 AND objid::bigint = $2)
            """, [.int(PGSchema.Lock.placement >> 32), .int(PGSchema.Lock.placement & 0xFFFF_FFFF)]) { $0.bool(at: 0) } ?? false
    }

    public func releasePlacement() {
        // A connection that broke has lost the lock with its session: nothing to release.
        try? releasePlacementLock()
    }

    func releasePlacementLock() throws(StoreError) {
        guard placementSession == db.session else {
            placementSession = nil  // lost with its session: nothing to release
            return
        }
        placementSession = nil
        try db.execute("SELECT pg_advisory_unlock(\(PGSchema.Lock.placement))")
    }

    public func triage(feedID: Int64, _ candidates: [ItemCandidate]) throws(StoreError) -> [Triage] {
        try triage([(feedID: feedID, candidates: candidates)])[0]
    }

    /// What the ledger holds of a batch's documents, in one round trip whatever their number:
    /// the feeds' own items by entry key, and copies by canonical link and by text (asked for
    /// every candidate — a known entry key decides first, so the extra probes change no answer).
    /// A round trip per document was 10,000 a cold cycle, each inside the placement lock.
    public func triage(_ documents: [(feedID: Int64, candidates: [ItemCandidate])]) throws(StoreError) -> [[Triage]] {
        let all = documents.flatMap { d in d.candidates.map { (feedID: d.feedID, candidate: $0) } }
        guard !all.isEmpty else { return documents.map { _ in [] } }
        var hashes: [ItemKey: String] = [:]
        var articles = Set<Int64>(), texts = Set<Int64>()
        // Every key is looked up by an index probe of its own (`LATERAL … OFFSET 0`, `LIMIT 1`):
        // joined, or asked as `= ANY(array)` of a batch's ~5,000 keys, a growing table was
        // scanned whole — the copy keys' `ANY` was 6.7 s of the server's 23 s in a cold cycle
        // over 10,000 feeds (pg_stat_statements), 166 ms a batch.
        for row in try db.query("""
            SELECT 0, i.feed_id, i.entry_key, i.content_hash
            FROM unnest($1::bigint[], $2::text[]) AS u(feed_id, entry_key),
                 LATERAL (SELECT feed_id, entry_key, content_hash FROM items
                          WHERE feed_id = u.feed_id AND entry_key = u.entry_key OFFSET 0) AS i
            UNION ALL SELECT 1, 0, a.k::text, NULL FROM (SELECT DISTINCT k FROM unnest($3::bigint[]) AS k) AS a
                 WHERE EXISTS (SELECT 1 FROM items WHERE article_key = a.k OFFSET 0)
            UNION ALL SELECT 2, 0, t.k::text, NULL FROM (SELECT DISTINCT k FROM unnest($4::bigint[]) AS k) AS t
                 WHERE EXISTS (SELECT 1 FROM items WHERE text_key = t.k OFFSET 0)
            """, [Self.intArray(all.map(\.feedID)), Self.textArray(all.map(\.candidate.entryKey)),
                  Self.intArray(all.compactMap(\.candidate.articleKey)), Self.intArray(all.compactMap(\.candidate.textKey))]) {
            guard let key = row.text(at: 2) else { continue }
            switch row.int(at: 0) {
            case 0: hashes[ItemKey(feedID: row.int(at: 1) ?? 0, entryKey: key)] = row.text(at: 3) ?? ""
            case 1: if let k = Int64(key) { articles.insert(k) }
            default: if let k = Int64(key) { texts.insert(k) }
            }
        }
        return documents.map { d in
            d.candidates.map { c in
                if let hash = hashes[ItemKey(feedID: d.feedID, entryKey: c.entryKey)] { return hash == c.contentHash ? .unchanged : .updated }
                if let k = c.articleKey, articles.contains(k) { return .copy }
                if let k = c.textKey, texts.contains(k) { return .copy }
                return .new
            }
        }
    }

    /// The stored article `c` copies, if any (the item it copies, or that item's original).
    private func original(of c: ItemCandidate) throws(StoreError) -> Int64? {
        if let k = c.articleKey,
           let id = try db.first("SELECT coalesce(duplicate_of, id) FROM items WHERE article_key = $1 ORDER BY id LIMIT 1", [.int(k)], { $0.int(at: 0) }) ?? nil {
            return id
        }
        if let k = c.textKey,
           let id = try db.first("SELECT coalesce(duplicate_of, id) FROM items WHERE text_key = $1 ORDER BY id LIMIT 1", [.int(k)], { $0.int(at: 0) }) ?? nil {
            return id
        }
        return nil
    }

    /// All documents in one transaction that holds the ledger lock from its start to its commit:
    /// the basis is checked under it, and the positions its items and alerts get come from
    /// `ledger_clock` under it, so no transaction can commit a lower position after this one
    /// commits a higher — position order is commit order. The cost: appliers (and `record`s
    /// with health alerts) commit one at a time; their reads and fetches do not wait.
    ///
    /// The batch's new items go in a few statements, not a few per document: a cold cycle over
    /// 10,000 feeds was ~100,000 round trips (each a wake-up of the server on a shared core),
    /// and an item linked to its story by an `UPDATE` after its `INSERT` was a second version
    /// of the row in all six of its indexes.
    public func apply(_ documents: [DocumentIntents], basedOn position: Int64) throws(StoreError) -> Int64 {
        defer { releasePlacement() }  // after the commit: the next placer reads what this one stored
        guard !documents.isEmpty else { return position }
        return try write { () throws(StoreError) -> Int64 in
            var clock = try lockLedger()
            let current = try ledgerPosition()
            guard current <= position else {
                throw StoreError(.conflict, "\(db.target): items were stored after position \(position) (now \(current)): decide again")
            }
            // A feed's items may come in several runs (the poller interleaves a batch's feeds in
            // publication order): its counts move once, over all of them.
            var found: [Int64: NewItems] = [:]
            var order: [Int64] = []
            var pending: [PendingInsert] = []
            for document in documents {
                let (new, dates) = try apply(document, pending: &pending, clock: &clock)
                if found[document.feedID] == nil { order.append(document.feedID) }
                found[document.feedID, default: NewItems(at: document.at.secondsSince1970)].count += new
                found[document.feedID]!.dates += dates
            }
            try insert(&pending, clock: &clock)
            try countNew(order.compactMap { feed in found[feed].map { (feed, $0) } })
            try setLedgerClock(clock)
            return max(try ledgerPosition(), position)
        }
    }

    /// The last item's position, or a later correction's (`stories merge/split/mute`): what a
    /// placement must have read to be applied.
    func ledgerPosition() throws(StoreError) -> Int64 {
        max(try db.first("SELECT coalesce(max(position), 0) FROM items") { $0.int(at: 0) ?? 0 } ?? 0, try correctionPosition())
    }

    /// Adds a document's new items to `pending` (written with the rest of the batch's); a
    /// touch, an update or a copy first writes what is pending, so it sees the items before it.
    /// Returns how many items were new and their publication dates.
    private func apply(_ d: DocumentIntents, pending: inout [PendingInsert], clock: inout Int64) throws(StoreError) -> (Int, [Int64]) {
        let now = d.at.secondsSince1970
        var dates: [Int64] = []
        var new = 0
        for intent in d.items {
            let c = intent.candidate
            let item = c.item
            switch intent.action {
            case .touch:
                try insert(&pending, clock: &clock)
                try db.update("UPDATE items SET last_seen = $1 WHERE feed_id = $2 AND entry_key = $3", [.int(now), .int(d.feedID), .text(c.entryKey)])
            case .update:
                try insert(&pending, clock: &clock)
                try db.update("""
                    UPDATE items SET content_hash = $1, link = $2, title = $3, summary = $4, published = $5, last_seen = $6
                    WHERE feed_id = $7 AND entry_key = $8
                    """, [.text(c.contentHash), .optional(item.link), .optional(item.title), .optional(item.summary),
                          .optional(item.published?.secondsSince1970), .int(now), .int(d.feedID), .text(c.entryKey)])
            case .insert(let story, let alert):
                pending.append(PendingInsert(feedID: d.feedID, at: now, candidate: c, story: story, alert: alert, original: nil))
                new += 1
                if let p = item.published { dates.append(p.secondsSince1970) }
            case .insertCopy:
                try insert(&pending, clock: &clock)
                pending.append(PendingInsert(feedID: d.feedID, at: now, candidate: c, story: nil, alert: nil, original: try original(of: c)))
                new += 1
                if let p = item.published { dates.append(p.secondsSince1970) }
            }
        }
        return (new, dates)
    }

    /// What a batch found new in one feed, for its publishing rate.
    struct NewItems {
        var at: Int64
        var count = 0
        var dates: [Int64] = []
    }

    /// The feeds' item counts and publishing rates (for adaptive polling, as the SQLite store
    /// keeps them, with the gaps they rest on), in one statement for the batch.
    private func countNew(_ feeds: [(id: Int64, found: NewItems)]) throws(StoreError) {
        let counted = feeds.filter { $0.found.count > 0 }
        guard !counted.isEmpty else { return }
        let seeds: [String?] = counted.map { f in
            let dates = f.found.dates
            return dates.count >= 2 ? String((dates.max()! - dates.min()!) / Int64(dates.count - 1)) : nil
        }
        try db.update("""
            UPDATE feeds SET items_seen = feeds.items_seen + u.new,
                publish_gap = CASE WHEN feeds.last_new_at IS NULL THEN u.seed
                                   WHEN feeds.publish_gap IS NULL THEN u.at - feeds.last_new_at
                                   ELSE (feeds.publish_gap * 3 + (u.at - feeds.last_new_at)) / 4 END,
                gaps_seen = feeds.gaps_seen + CASE WHEN feeds.last_new_at IS NULL THEN u.gaps ELSE 1 END,
                last_new_at = u.at
            FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS u(id, new, at, seed, gaps)
            WHERE feeds.id = u.id
            """, [Self.intArray(counted.map(\.id)), Self.intArray(counted.map { Int64($0.found.count) }),
                  Self.intArray(counted.map(\.found.at)), Self.optionalArray(seeds),
                  Self.intArray(counted.map { Int64(max(0, $0.found.dates.count - 1)) })])
    }

    /// An item to insert, with what goes with it.
    struct PendingInsert {
        var feedID: Int64
        var at: Int64
        var candidate: ItemCandidate
        var story: StoryLink?
        var alert: Alert?
        var original: Int64?

        /// Whether its story absorbs another as it joins: the stories' sizes are recounted then,
        /// so nothing after it may be stored yet.
        var merges: Bool { story.map { s in s.absorbed.contains { $0 != s.id } } ?? false }
    }

    /// Writes `pending` and empties it: the items with their story links and alerts in one
    /// statement (arrays unnested; positions from the clock, the items' in order, then their
    /// alerts'), then their stories in one. An item whose story absorbs another ends a run: the
    /// merge is written before anything after it. An item that exists already (stored since it
    /// was triaged) refuses the whole apply.
    private func insert(_ pending: inout [PendingInsert], clock: inout Int64) throws(StoreError) {
        var start = 0
        while start < pending.count {
            let end = (pending[start...].firstIndex(where: \.merges) ?? pending.count - 1) + 1
            let run = pending[start..<end]
            try insertItems(run, clock: &clock)
            try linkStories(run)
            if let last = run.last, let story = last.story {
                for from in story.absorbed where from != story.id {
                    // Mutes, aliases and pairs kept apart follow the absorbed story (corrections by hand).
                    try carryCorrections(from: from, into: story.id, now: Timestamp(secondsSince1970: last.at))
                    try absorb(from, into: story.id)
                }
            }
            start = end
        }
        pending.removeAll()
    }

    private func insertItems(_ run: ArraySlice<PendingInsert>, clock: inout Int64) throws(StoreError) {
        let first = clock + 1
        let items = run.map { $0.candidate.item }
        clock += Int64(run.count)
        let alerted = run.filter { $0.alert != nil }
        let alertPositions = alerted.indices.map { clock + 1 + Int64($0) }
        let inserted = try db.first("""
            WITH ins AS (
                INSERT INTO items (position, feed_id, entry_key, content_hash, link, title, summary, published, first_seen, last_seen,
                                   article_key, text_key, duplicate_of, story_id, story_at)
                SELECT u.position, u.feed_id, u.entry_key, u.content_hash, u.link, u.title, u.summary, u.published, u.at, u.at,
                       u.article_key, u.text_key, u.duplicate_of, u.story_id, u.story_at
                FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[],
                            $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::text[], $14::bigint[])
                     AS u(position, feed_id, entry_key, content_hash, link, title, summary, published, at, article_key, text_key,
                          duplicate_of, story_id, story_at)
                ON CONFLICT (feed_id, entry_key) DO NOTHING
                RETURNING id, feed_id, entry_key, first_seen
            ), alerted AS (
                INSERT INTO alerts (position, alert_id, item_id, created_at, record)
                SELECT a.position, a.alert_id, ins.id, ins.first_seen, a.record
                FROM unnest($15::bigint[], $16::text[], $17::bigint[], $18::text[], $19::text[]) AS a(feed_id, entry_key, position, alert_id, record)
                     JOIN ins ON ins.feed_id = a.feed_id AND ins.entry_key = a.entry_key
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM alerted)
            """, [Self.intArray(first...(first + Int64(run.count) - 1)), Self.intArray(run.map(\.feedID)),
                  Self.textArray(run.map(\.candidate.entryKey)), Self.textArray(run.map(\.candidate.contentHash)),
                  Self.optionalArray(items.map(\.link)), Self.optionalArray(items.map(\.title)), Self.optionalArray(items.map(\.summary)),
                  Self.optionalArray(items.map { $0.published.map { String($0.secondsSince1970) } }),
                  Self.intArray(run.map(\.at)),
                  Self.optionalArray(run.map { $0.candidate.articleKey.map(String.init) }),
                  Self.optionalArray(run.map { $0.candidate.textKey.map(String.init) }),
                  Self.optionalArray(run.map { $0.original.map(String.init) }),
                  Self.optionalArray(run.map { $0.story?.id }),
                  Self.optionalArray(run.map { $0.story.map { String($0.at.secondsSince1970) } }),
                  Self.intArray(alerted.map(\.feedID)), Self.textArray(alerted.map(\.candidate.entryKey)),
                  Self.intArray(alertPositions), Self.textArray(alerted.map { $0.alert!.id }),
                  Self.textArray(alerted.map { $0.alert!.record })]) { (items: Int($0.int(at: 0) ?? 0), alerts: Int($0.int(at: 1) ?? 0)) } ?? (items: 0, alerts: 0)
        guard inserted.items == run.count else {
            // Rows a concurrent writer stored since they were triaged: those below this run's positions.
            let key = try db.first("""
                SELECT u.entry_key FROM unnest($1::bigint[], $2::text[]) AS u(feed_id, entry_key)
                JOIN items i ON i.feed_id = u.feed_id AND i.entry_key = u.entry_key WHERE i.position < $3 LIMIT 1
                """, [Self.intArray(run.map(\.feedID)), Self.textArray(run.map(\.candidate.entryKey)), .int(first)]) { $0.text(at: 0) } ?? nil
            throw StoreError(.conflict, "\(db.target): item \(key ?? "?") was stored since it was triaged")
        }
        guard inserted.alerts == alerted.count else {
            throw StoreError(.conflict, "\(db.target): \(alerted.count - inserted.alerts) of the alerts of feed \(run.first?.feedID ?? 0)'s items were not stored")
        }
        clock += Int64(alerted.count)
    }

    /// The run's stories, one row each however many of its items joined: created with the first
    /// item's title, or grown — size, last seen, the topics not yet listed appended in order.
    private func linkStories(_ run: ArraySlice<PendingInsert>) throws(StoreError) {
        var order: [String] = []
        var stories: [String: (title: String?, at: Int64, size: Int64, topics: [String])] = [:]
        for p in run {
            guard let story = p.story else { continue }
            if var known = stories[story.id] {
                known.size += 1
                known.at = max(known.at, p.at)
                for t in story.topics where !known.topics.contains(t) { known.topics.append(t) }
                stories[story.id] = known
            } else {
                order.append(story.id)
                stories[story.id] = (story.title, p.at, 1, story.topics)
            }
        }
        guard !order.isEmpty else { return }
        let rows = order.map { stories[$0]! }
        try db.update("""
            INSERT INTO stories (id, title, first_seen, last_seen, size, topics)
            SELECT u.id, u.title, u.at, u.at, u.size, u.topics
            FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[]) AS u(id, title, at, size, topics)
            ON CONFLICT (id) DO UPDATE SET
                size = stories.size + excluded.size,
                last_seen = greatest(stories.last_seen, excluded.last_seen),
                topics = CASE WHEN stories.topics = '' THEN excluded.topics
                              ELSE stories.topics || coalesce((
                                  SELECT string_agg(E'\\n' || t, '' ORDER BY n)
                                  FROM unnest(string_to_array(excluded.topics, E'\\n')) WITH ORDINALITY AS x(t, n)
                                  WHERE t <> '' AND t <> ALL (string_to_array(stories.topics, E'\\n'))), '') END
            """, [Self.textArray(order), Self.optionalArray(rows.map(\.title)), Self.intArray(rows.map(\.at)),
                  Self.intArray(rows.map(\.size)), Self.textArray(rows.map { $0.topics.joined(separator: "\n") })])
    }

    /// A story grouping merged into another as an item joined: its items, topics, span and the
    /// sinks' sizes move into the survivor, whose size becomes a count of its items.
    func absorb(_ from: String, into: String) throws(StoreError) {
        guard let topics = try db.first("SELECT topics FROM stories WHERE id = $1 FOR UPDATE", [.text(from)], { $0.text(at: 0) ?? "" }) else {
            return  // merged already, or pruned
        }
        try db.update("UPDATE items SET story_id = $1 WHERE story_id = $2", [.text(into), .text(from)])
        try db.update("""
            INSERT INTO sink_stories (sink, story_id, size) SELECT sink, $1, size FROM sink_stories WHERE story_id = $2
            ON CONFLICT (sink, story_id) DO UPDATE SET size = greatest(sink_stories.size, excluded.size)
            """, [.text(into), .text(from)])
        try db.update("DELETE FROM sink_stories WHERE story_id = $1", [.text(from)])
        let mine = try db.first("SELECT topics FROM stories WHERE id = $1", [.text(into)], { $0.text(at: 0) ?? "" }) ?? ""
        var all = mine.split(separator: "\n").map(String.init)
        for t in topics.split(separator: "\n").map(String.init) where !all.contains(t) { all.append(t) }
        try db.update("""
            UPDATE stories SET topics = $2,
                first_seen = least(first_seen, (SELECT first_seen FROM stories WHERE id = $3)),
                last_seen = greatest(last_seen, (SELECT last_seen FROM stories WHERE id = $3)),
                size = (SELECT count(*) FROM items WHERE story_id = $1)
            WHERE id = $1
            """, [.text(into), .text(all.joined(separator: "\n")), .text(from)])
        try db.update("DELETE FROM stories WHERE id = $1", [.text(from)])
    }

    public func storyFirst(_ story: String) throws(StoreError) -> (feedURL: String, at: Timestamp)? {
        try db.first("""
            SELECT f.url, i.story_at FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.story_id = $1
            ORDER BY i.story_at, i.position LIMIT 1
            """, [.text(story)]) { ($0.text(at: 0) ?? "", Timestamp(secondsSince1970: $0.int(at: 1) ?? 0)) }
    }

    public func storyMembers(after position: Int64, since: Timestamp) throws(StoreError) -> StoryMembers {
        // The position first, then only what is at or below it: everything at or below a
        // committed position is committed (positions are commit order).
        let through = try ledgerPosition()
        return StoryMembers(members: try members(where: "i.story_at >= $1 AND i.position > $2 AND i.position <= $3",
                                                 [.int(since.secondsSince1970), .int(position), .int(through)]),
                            through: max(through, position))
    }

    public func storyMembers(since: Timestamp) throws(StoreError) -> [StoryMember] {
        try members(where: "i.story_at >= $1", [.int(since.secondsSince1970)])
    }

    private func members(where condition: String, _ values: [PGValue]) throws(StoreError) -> [StoryMember] {
        try db.query("""
            SELECT i.position, i.feed_id, i.entry_key, i.title, i.summary, i.story_at, s.id, s.size, s.first_seen
            FROM items i JOIN stories s ON s.id = i.story_id
            WHERE i.story_id IS NOT NULL AND \(condition)
            ORDER BY i.story_at, i.position
            """, values).map { r in
            StoryMember(position: r.int(at: 0) ?? 0, item: ItemKey(feedID: r.int(at: 1) ?? 0, entryKey: r.text(at: 2) ?? ""),
                        title: r.text(at: 3), summary: r.text(at: 4), at: Timestamp(secondsSince1970: r.int(at: 5) ?? 0),
                        storyID: r.text(at: 6) ?? "", storySize: Int(r.int(at: 7) ?? 1), storyFirstSeen: Timestamp(secondsSince1970: r.int(at: 8) ?? 0))
        }
    }

    public func stories(since: Timestamp, limit: Int) throws(StoreError) -> [StoredStory] {
        try storyRecords("WHERE last_seen >= $1 ORDER BY size DESC, first_seen, id LIMIT $2", [.int(since.secondsSince1970), .int(limit)])
    }

    public func story(id: String) throws(StoreError) -> StoredStory? {
        try storyRecords("WHERE id = $1", [.text(id)]).first
    }

    /// The stories `filter` (a WHERE clause and what follows) selects, with their items and copies.
    private func storyRecords(_ filter: String, _ values: [PGValue]) throws(StoreError) -> [StoredStory] {
        let heads = try db.query("SELECT id, title, size, first_seen, last_seen, topics FROM stories " + filter, values)
        var out: [StoredStory] = []
        for h in heads {
            let id = h.text(at: 0) ?? ""
            var items: [StoredStory.Item] = []
            for r in try db.query("""
                SELECT i.id, f.url, i.entry_key, i.title, i.link, i.published, i.story_at FROM items i JOIN feeds f ON f.id = i.feed_id
                WHERE i.story_id = $1 ORDER BY i.story_at, i.position
                """, [.text(id)]) {
                let key = r.text(at: 2) ?? ""
                let copies = try db.query("""
                    SELECT f.url, i.link FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.duplicate_of = $1 ORDER BY i.position
                    """, [.int(r.int(at: 0) ?? 0)]).map { (feed: $0.text(at: 0) ?? "", link: $0.text(at: 1)) }
                items.append(StoredStory.Item(feed: r.text(at: 1) ?? "", id: key.hasPrefix("id:") ? String(key.dropFirst(3)) : nil,
                                              title: r.text(at: 3), link: r.text(at: 4), published: Self.time(r.int(at: 5)), duplicates: copies,
                                              placedAt: Timestamp(secondsSince1970: r.int(at: 6) ?? 0)))
            }
            // One story, one face: the title of its earliest-published item, items in publication order.
            out.append(StoredStory(id: id, title: items.first?.title ?? h.text(at: 1), size: Int(h.int(at: 2) ?? 0),
                                   firstSeen: Timestamp(secondsSince1970: h.int(at: 3) ?? 0), lastSeen: Timestamp(secondsSince1970: h.int(at: 4) ?? 0),
                                   topics: (h.text(at: 5) ?? "").split(separator: "\n").map(String.init), items: items))
        }
        return out
    }

    public func prune(before cutoff: Timestamp, sinks: [String]) throws(StoreError) -> Int {
        try write { () throws(StoreError) -> Int in
            let pruned = try db.update("""
                UPDATE items SET link = NULL, title = NULL, summary = NULL
                WHERE last_seen < $1 AND (link IS NOT NULL OR title IS NOT NULL OR summary IS NOT NULL)
                """, [.int(cutoff.secondsSince1970)])
            if !sinks.isEmpty {
                let delivered = try db.first("SELECT min(coalesce(c.cursor, 0)) FROM unnest($1::text[]) s(name) LEFT JOIN sink_cursors c ON c.sink = s.name",
                                             [Self.textArray(sinks)]) { $0.int(at: 0) ?? 0 } ?? 0
                try db.update("DELETE FROM alerts WHERE created_at < $1 AND position <= $2", [.int(cutoff.secondsSince1970), .int(delivered)])
            }
            if try db.update("DELETE FROM stories WHERE last_seen < $1", [.int(cutoff.secondsSince1970)]) > 0 {
                try db.update("DELETE FROM sink_stories WHERE story_id NOT IN (SELECT id FROM stories)")
            }
            return pruned
        }
    }
}
