public import FeedwatchCore
public import Store

/// The item ledger. Placement in stories is serialized across the fleet: a node holds the
/// placement lock (a session advisory lock) from its catch-up read until its apply commits, so
/// the story index it decides with is the ledger as it will be when its decisions commit — the
/// same stories one node would make. `apply` still checks its basis, under the ledger lock.
extension PostgresStore {
    public func holdPlacement() throws(StoreError) {
        guard !holdsPlacement else { return }
        let started = Monotonic.seconds()
        try db.execute("SELECT pg_advisory_lock(\(PGSchema.Lock.placement))")
        placementWaitSeconds += Monotonic.seconds() - started
        holdsPlacement = true
    }

    public func releasePlacement() {
        // A connection that broke has lost the lock with its session: nothing to release.
        try? releasePlacementLock()
    }

    func releasePlacementLock() throws(StoreError) {
        guard holdsPlacement else { return }
        holdsPlacement = false
        try db.execute("SELECT pg_advisory_unlock(\(PGSchema.Lock.placement))")
    }

    /// What the ledger holds of a document's items, in three round trips whatever its length:
    /// the feed's own items by entry key, then copies by canonical link and by text.
    public func triage(feedID: Int64, _ candidates: [ItemCandidate]) throws(StoreError) -> [Triage] {
        guard !candidates.isEmpty else { return [] }
        var hashes: [String: String] = [:]
        for row in try db.query("SELECT entry_key, content_hash FROM items WHERE feed_id = $1 AND entry_key = ANY($2::text[])",
                                [.int(feedID), Self.textArray(candidates.map(\.entryKey))]) {
            if let key = row.text(at: 0) { hashes[key] = row.text(at: 1) ?? "" }
        }
        let unknown = candidates.filter { hashes[$0.entryKey] == nil }
        let (articles, texts) = try storedKeys(articleKeys: unknown.compactMap(\.articleKey), textKeys: unknown.compactMap(\.textKey))
        return candidates.map { c in
            if let hash = hashes[c.entryKey] { return hash == c.contentHash ? .unchanged : .updated }
            if let k = c.articleKey, articles.contains(k) { return .copy }
            if let k = c.textKey, texts.contains(k) { return .copy }
            return .new
        }
    }

    private func storedKeys(articleKeys: [Int64], textKeys: [Int64]) throws(StoreError) -> (Set<Int64>, Set<Int64>) {
        var articles = Set<Int64>(), texts = Set<Int64>()
        if !articleKeys.isEmpty {
            for row in try db.query("SELECT DISTINCT article_key FROM items WHERE article_key = ANY($1::bigint[])", [Self.intArray(articleKeys)]) {
                if let k = row.int(at: 0) { articles.insert(k) }
            }
        }
        if !textKeys.isEmpty {
            for row in try db.query("SELECT DISTINCT text_key FROM items WHERE text_key = ANY($1::bigint[])", [Self.intArray(textKeys)]) {
                if let k = row.int(at: 0) { texts.insert(k) }
            }
        }
        return (articles, texts)
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
            var found: [Int64: (at: Int64, new: Int, dates: [Int64])] = [:]
            var order: [Int64] = []
            for document in documents {
                let (new, dates) = try apply(document, clock: &clock)
                if found[document.feedID] == nil { order.append(document.feedID) }
                found[document.feedID, default: (document.at.secondsSince1970, 0, [])].new += new
                found[document.feedID]!.dates += dates
            }
            for feed in order { try countNew(feed: feed, found[feed]!) }
            try setLedgerClock(clock)
            return max(try ledgerPosition(), position)
        }
    }

    /// The last item's position, or a later correction's (`stories merge/split/mute`): what a
    /// placement must have read to be applied.
    func ledgerPosition() throws(StoreError) -> Int64 {
        max(try db.first("SELECT coalesce(max(position), 0) FROM items") { $0.int(at: 0) ?? 0 } ?? 0, try correctionPosition())
    }

    /// Returns how many items were new and their publication dates.
    private func apply(_ d: DocumentIntents, clock: inout Int64) throws(StoreError) -> (Int, [Int64]) {
        let now = d.at.secondsSince1970
        var dates: [Int64] = []
        var new = 0
        // New items go in one statement per run of inserts (a round trip per item was most of a
        // cold cycle); a touch, an update or a copy first writes what is pending, so it sees
        // the items before it in the document.
        var pending: [PendingInsert] = []
        for intent in d.items {
            let c = intent.candidate
            let item = c.item
            switch intent.action {
            case .touch:
                try insert(&pending, feedID: d.feedID, now: now, clock: &clock)
                try db.update("UPDATE items SET last_seen = $1 WHERE feed_id = $2 AND entry_key = $3", [.int(now), .int(d.feedID), .text(c.entryKey)])
            case .update:
                try insert(&pending, feedID: d.feedID, now: now, clock: &clock)
                try db.update("""
                    UPDATE items SET content_hash = $1, link = $2, title = $3, summary = $4, published = $5, last_seen = $6
                    WHERE feed_id = $7 AND entry_key = $8
                    """, [.text(c.contentHash), .optional(item.link), .optional(item.title), .optional(item.summary),
                          .optional(item.published?.secondsSince1970), .int(now), .int(d.feedID), .text(c.entryKey)])
            case .insert(let story, let alert):
                pending.append(PendingInsert(candidate: c, story: story, alert: alert, original: nil))
                new += 1
                if let p = item.published { dates.append(p.secondsSince1970) }
            case .insertCopy:
                try insert(&pending, feedID: d.feedID, now: now, clock: &clock)
                pending.append(PendingInsert(candidate: c, story: nil, alert: nil, original: try original(of: c)))
                new += 1
                if let p = item.published { dates.append(p.secondsSince1970) }
            }
        }
        try insert(&pending, feedID: d.feedID, now: now, clock: &clock)
        return (new, dates)
    }

    private func countNew(feed: Int64, _ f: (at: Int64, new: Int, dates: [Int64])) throws(StoreError) {
        let (now, new, dates) = f
        guard new > 0 else { return }
        // The publishing rate, for adaptive polling, as the SQLite store keeps it, with the gaps
        // it rests on.
        let seed: PGValue = dates.count >= 2 ? .int((dates.max()! - dates.min()!) / Int64(dates.count - 1)) : .null
        try db.update("""
            UPDATE feeds SET items_seen = items_seen + $2,
                publish_gap = CASE WHEN last_new_at IS NULL THEN $4::bigint
                                   WHEN publish_gap IS NULL THEN $3 - last_new_at
                                   ELSE (publish_gap * 3 + ($3 - last_new_at)) / 4 END,
                gaps_seen = gaps_seen + CASE WHEN last_new_at IS NULL THEN $5 ELSE 1 END,
                last_new_at = $3
            WHERE id = $1
            """, [.int(feed), .int(Int64(new)), .int(now), seed, .int(Int64(max(0, dates.count - 1)))])
    }

    /// An item to insert, with what goes with it.
    struct PendingInsert {
        var candidate: ItemCandidate
        var story: StoryLink?
        var alert: Alert?
        var original: Int64?
    }

    /// Inserts `pending` items in one statement (arrays unnested, positions from the clock in
    /// document order), then their story links and alerts; empties `pending`. An item that
    /// exists already (stored since it was triaged) refuses the whole apply.
    private func insert(_ pending: inout [PendingInsert], feedID: Int64, now: Int64, clock: inout Int64) throws(StoreError) {
        guard !pending.isEmpty else { return }
        let first = clock + 1
        let items = pending.map { $0.candidate.item }
        let rows = try db.query("""
            INSERT INTO items (position, feed_id, entry_key, content_hash, link, title, summary, published, first_seen, last_seen,
                               article_key, text_key, duplicate_of)
            SELECT u.position, $1, u.entry_key, u.content_hash, u.link, u.title, u.summary, u.published, $2, $2, u.article_key, u.text_key,
                   u.duplicate_of
            FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[],
                        $12::bigint[]) AS u(position, entry_key, content_hash, link, title, summary, published, article_key, text_key, duplicate_of)
            ON CONFLICT (feed_id, entry_key) DO NOTHING
            RETURNING id, entry_key
            """, [.int(feedID), .int(now), Self.intArray(Int64(first)...Int64(first + Int64(pending.count) - 1)),
                  Self.textArray(pending.map(\.candidate.entryKey)), Self.textArray(pending.map(\.candidate.contentHash)),
                  Self.optionalArray(items.map(\.link)), Self.optionalArray(items.map(\.title)), Self.optionalArray(items.map(\.summary)),
                  Self.optionalArray(items.map { $0.published.map { String($0.secondsSince1970) } }),
                  Self.optionalArray(pending.map { $0.candidate.articleKey.map(String.init) }),
                  Self.optionalArray(pending.map { $0.candidate.textKey.map(String.init) }),
                  Self.optionalArray(pending.map { $0.original.map(String.init) })])
        guard rows.count == pending.count else {
            let stored = Set(rows.compactMap { $0.text(at: 1) })
            let key = pending.first { !stored.contains($0.candidate.entryKey) }?.candidate.entryKey ?? "?"
            throw StoreError(.conflict, "\(db.target): item \(key) of feed \(feedID) was stored since it was triaged")
        }
        clock += Int64(pending.count)
        var ids: [String: Int64] = [:]
        for row in rows { if let key = row.text(at: 1), let id = row.int(at: 0) { ids[key] = id } }
        for p in pending {
            guard let id = ids[p.candidate.entryKey] else { continue }
            if let story = p.story { try link(item: id, to: story, now: Timestamp(secondsSince1970: now)) }
            if let alert = p.alert {
                try db.update("INSERT INTO alerts (position, alert_id, item_id, created_at, record) VALUES ($1, $2, $3, $4, $5)",
                              [.int(clock + 1), .text(alert.id), .int(id), .int(now), .text(alert.record)])
                clock += 1
            }
        }
        pending.removeAll()
    }

    private func link(item: Int64, to story: StoryLink, now: Timestamp) throws(StoreError) {
        let known: String? = try db.first("SELECT topics FROM stories WHERE id = $1 FOR UPDATE", [.text(story.id)]) { $0.text(at: 0) ?? "" }
        if let known {
            var topics = known.split(separator: "\n").map(String.init)
            for t in story.topics where !topics.contains(t) { topics.append(t) }
            try db.update("UPDATE stories SET size = size + 1, last_seen = greatest(last_seen, $2), topics = $3 WHERE id = $1",
                          [.text(story.id), .int(now.secondsSince1970), .text(topics.joined(separator: "\n"))])
        } else {
            try db.update("INSERT INTO stories (id, title, first_seen, last_seen, size, topics) VALUES ($1, $2, $3, $3, 1, $4)",
                          [.text(story.id), .optional(story.title), .int(now.secondsSince1970), .text(story.topics.joined(separator: "\n"))])
        }
        try db.update("UPDATE items SET story_id = $1, story_at = $2 WHERE id = $3", [.text(story.id), .int(story.at.secondsSince1970), .int(item)])
        for from in story.absorbed where from != story.id {
            try carryCorrections(from: from, into: story.id, now: now)
            try absorb(from, into: story.id)
        }
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
        let heads = try db.query("""
            SELECT id, title, size, first_seen, last_seen, topics FROM stories WHERE last_seen >= $1
            ORDER BY size DESC, first_seen, id LIMIT $2
            """, [.int(since.secondsSince1970), .int(limit)])
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
