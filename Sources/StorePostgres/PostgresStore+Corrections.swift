public import FeedwatchCore
public import Store

/// Corrections by hand (`feedwatch stories merge/split/mute/unmute`) on a fleet's store, with
/// the SQLite store's rules and one more: a correction is ordered among the fleet's placements.
/// It waits for the placement lock, so no node is between its catch-up read and its apply while
/// it commits, and takes a position from `ledger_clock` under the ledger lock, as an apply does.
/// Every node reads the corrections again with its next catch-up (under the same lock), rebuilds
/// its story index when a merge or split moved items, and decides with the mutes as they are
/// then; a batch decided before the correction is refused by `apply` (its basis is below the
/// correction's position) and decided again.
extension PostgresStore: StoryCorrecting {
    /// Migration 3 (appended to `PGSchema.migrations`): the SQLite store's migration 10, with
    /// each correction's position in the ledger.
    static let correctionsMigration = """
        CREATE TABLE story_merges (
            from_id text PRIMARY KEY,               -- a story absorbed into another, by grouping or by hand
            into_id text NOT NULL,
            at bigint NOT NULL
        );
        CREATE TABLE story_mutes (
            story_id text PRIMARY KEY,
            until bigint                            -- NULL: until unmuted
        );
        CREATE TABLE story_apart (
            a text NOT NULL,
            b text NOT NULL,
            PRIMARY KEY (a, b)
        );
        CREATE TABLE story_corrections (
            position bigint PRIMARY KEY,            -- commit order (ledger_clock), among the placements
            kind text NOT NULL,                     -- merge, split, mute, unmute
            subject text NOT NULL,                  -- the stories or item it concerned
            at bigint NOT NULL
        );
        """

    public func storyCorrections(at now: Timestamp) throws(StoreError) -> StoryCorrections {
        let mark = try db.first("SELECT coalesce(max(position), 0) FROM story_corrections WHERE kind IN ('merge', 'split')") { $0.int(at: 0) ?? 0 } ?? 0
        let muted = try db.query("SELECT story_id FROM story_mutes WHERE until IS NULL OR until > $1", [.int(now.secondsSince1970)])
            .compactMap { $0.text(at: 0) }
        let apart = try db.query("SELECT a, b FROM story_apart ORDER BY a, b").map { ($0.text(at: 0) ?? "", $0.text(at: 1) ?? "") }
        return StoryCorrections(mark: mark, muted: Set(muted), apart: apart)
    }

    /// The last position a correction took (0: none): `apply` refuses decisions based below it.
    func correctionPosition() throws(StoreError) -> Int64 {
        try db.first("SELECT coalesce(max(position), 0) FROM story_corrections") { $0.int(at: 0) ?? 0 } ?? 0
    }

    public func mergeStories(_ ids: [String], now: Timestamp) throws(StoreError) -> String {
        try correct("merge", now: now) { () throws(StoreError) -> (String, subject: String?) in
            var current: [String] = []
            for id in ids {
                guard let c = try currentStory(id) else { throw Self.unknownStory(id) }
                if !current.contains(c) { current.append(c) }
            }
            guard current.count >= 2 else { throw StoreError(.conflict, "\(ids.joined(separator: ", ")): one story already") }
            // The story whose first item was placed first survives, as grouping merges.
            let into = try db.first("""
                SELECT s.id FROM unnest($1::text[]) AS s(id) LEFT JOIN items i ON i.story_id = s.id
                GROUP BY s.id ORDER BY min(i.story_at) NULLS LAST, s.id LIMIT 1
                """, [Self.textArray(current)]) { $0.text(at: 0) ?? "" } ?? current[0]
            for from in current where from != into { try absorbByHand(from, into: into, now: now) }
            try refreshFace(of: into)
            return (into, current.joined(separator: " "))
        }
    }

    public func splitItem(_ ref: String, now: Timestamp) throws(StoreError) -> (new: String, old: String)? {
        try correct("split", now: now) { () throws(StoreError) -> ((new: String, old: String)?, subject: String?) in
            guard let item = try storyItem(ref) else {
                throw StoreError(.notFound, "no grouped item \(ref) (give its alert id, link or id; feedwatch stories --json lists them)")
            }
            let others = try db.first("SELECT count(*) FROM items WHERE story_id = $1 AND id <> $2",
                                      [.text(item.storyID), .int(item.itemID)]) { $0.int(at: 0) ?? 0 } ?? 0
            guard others > 0 else { return (nil, nil) }
            // Named by the correction's position, which no other correction takes.
            let new = "st_split\(try nextCorrectionPosition())_\(item.itemID)"
            try db.update("""
                INSERT INTO stories (id, title, first_seen, last_seen, size, topics)
                SELECT $1, i.title, i.first_seen, i.last_seen, 1, s.topics FROM items i JOIN stories s ON s.id = $3 WHERE i.id = $2
                """, [.text(new), .int(item.itemID), .text(item.storyID)])
            try db.update("UPDATE items SET story_id = $1 WHERE id = $2", [.text(new), .int(item.itemID)])
            try db.update("INSERT INTO story_apart (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING", [.text(item.storyID), .text(new)])
            try refreshFace(of: item.storyID)
            return ((new, item.storyID), "\(item.itemID) \(item.storyID)")
        }
    }

    public func muteStory(_ id: String, until: Timestamp?, now: Timestamp) throws(StoreError) -> String {
        try correct("mute", now: now) { () throws(StoreError) -> (String, subject: String?) in
            guard let story = try currentStory(id) else { throw Self.unknownStory(id) }
            try db.update("""
                INSERT INTO story_mutes (story_id, until) VALUES ($1, $2) ON CONFLICT (story_id) DO UPDATE SET until = excluded.until
                """, [.text(story), .optional(until?.secondsSince1970)])
            return (story, story)
        }
    }

    public func unmuteStory(_ id: String, now: Timestamp) throws(StoreError) -> String? {
        try correct("unmute", now: now) { () throws(StoreError) -> (String?, subject: String?) in
            guard let story = try currentStory(id) else { throw Self.unknownStory(id) }
            guard try db.update("DELETE FROM story_mutes WHERE story_id = $1", [.text(story)]) > 0 else { return (nil, nil) }
            return (story, story)
        }
    }

    /// Runs a correction: waits for the placement lock, then in one transaction under the ledger
    /// lock runs `body`, which returns its result and what it concerned — logged at the next
    /// position — or no subject when there was nothing to correct (nothing written, no position).
    private func correct<T>(_ kind: String, now: Timestamp, _ body: () throws(StoreError) -> (T, subject: String?)) throws(StoreError) -> T {
        try holdPlacement()
        defer { releasePlacement() }
        return try write { () throws(StoreError) -> T in
            let clock = try lockLedger()
            let (result, subject) = try body()
            guard let subject else { return result }
            try db.update("INSERT INTO story_corrections (position, kind, subject, at) VALUES ($1, $2, $3, $4)",
                          [.int(clock + 1), .text(kind), .text(subject), .int(now.secondsSince1970)])
            try setLedgerClock(clock + 1)
            return result
        }
    }

    /// The position the running correction takes (inside `correct`, under the ledger lock).
    private func nextCorrectionPosition() throws(StoreError) -> Int64 {
        (try db.first("SELECT last FROM ledger_clock") { $0.int(at: 0) ?? 0 } ?? 0) + 1
    }

    private static func unknownStory(_ id: String) -> StoreError {
        StoreError(.notFound, "no story \(id) (feedwatch stories --json lists their ids)")
    }

    /// The story `id` is now: itself, or the story it was merged into (through any chain of
    /// merges); `nil` if the store knows neither.
    func currentStory(_ id: String) throws(StoreError) -> String? {
        var id = id
        var seen: Set<String> = []
        while seen.insert(id).inserted,
              let next = try db.first("SELECT into_id FROM story_merges WHERE from_id = $1", [.text(id)], { $0.text(at: 0) }) ?? nil {
            id = next
        }
        return try db.first("SELECT 1 FROM stories WHERE id = $1", [.text(id)]) { _ in true } == nil ? nil : id
    }

    /// The item `ref` names: an alert id, a link, or the item's id in its feed.
    func storyItem(_ ref: String) throws(StoreError) -> StoryItemRef? {
        let queries = [
            "SELECT i.id, i.story_id, i.title FROM alerts a JOIN items i ON i.id = a.item_id WHERE a.alert_id = $1 AND i.story_id IS NOT NULL",
            "SELECT id, story_id, title FROM items WHERE link = $1 AND story_id IS NOT NULL ORDER BY id",
            "SELECT id, story_id, title FROM items WHERE entry_key = 'id:' || $1 AND story_id IS NOT NULL ORDER BY id",
        ]
        for sql in queries {
            let rows = try db.query(sql, [.text(ref)])
            if rows.count > 1 { throw StoreError(.conflict, "\(ref) names \(rows.count) items; give its alert id (fw_…)") }
            if let r = rows.first {
                return StoryItemRef(itemID: r.int(at: 0) ?? 0, storyID: r.text(at: 1) ?? "", title: r.text(at: 2))
            }
        }
        return nil
    }

    /// A merge by hand: what grouping's merge moves (`absorb`: items, topics, span, sinks'
    /// sizes), then what corrections hang on the absorbed story.
    private func absorbByHand(_ from: String, into: String, now: Timestamp) throws(StoreError) {
        try carryCorrections(from: from, into: into, now: now)
        try absorb(from, into: into)
    }

    /// What a story absorbed into `into` hands over of the corrections: its mute (a muted part
    /// mutes the whole: what the user silenced must stay silent), the pairs a split set apart,
    /// and its id, kept as an alias so it still finds its story. Called by grouping's merges too.
    func carryCorrections(from: String, into: String, now: Timestamp) throws(StoreError) {
        guard from != into, try db.first("SELECT 1 FROM stories WHERE id = $1", [.text(from)], { _ in true }) != nil else {
            return  // merged already, or pruned
        }
        try db.update("""
            INSERT INTO story_mutes (story_id, until) SELECT $1, until FROM story_mutes WHERE story_id = $2
            ON CONFLICT (story_id) DO UPDATE SET until = CASE WHEN story_mutes.until IS NULL OR excluded.until IS NULL THEN NULL
                                                              ELSE greatest(story_mutes.until, excluded.until) END
            """, [.text(into), .text(from)])
        try db.update("DELETE FROM story_mutes WHERE story_id = $1", [.text(from)])
        try db.update("UPDATE story_merges SET into_id = $1 WHERE into_id = $2", [.text(into), .text(from)])
        try db.update("""
            INSERT INTO story_merges (from_id, into_id, at) VALUES ($1, $2, $3)
            ON CONFLICT (from_id) DO UPDATE SET into_id = excluded.into_id, at = excluded.at
            """, [.text(from), .text(into), .int(now.secondsSince1970)])
        for column in ["a", "b"] {
            try db.update("""
                INSERT INTO story_apart (a, b) SELECT \(column == "a" ? "$1, b" : "a, $1") FROM story_apart WHERE \(column) = $2
                ON CONFLICT DO NOTHING
                """, [.text(into), .text(from)])
            try db.update("DELETE FROM story_apart WHERE \(column) = $1", [.text(from)])
        }
        try db.update("DELETE FROM story_apart WHERE a = b")
    }

    /// A story's title (its earliest-placed item's) and size (its items), from its items.
    private func refreshFace(of story: String) throws(StoreError) {
        try db.update("""
            UPDATE stories SET
                size = (SELECT count(*) FROM items WHERE story_id = $1),
                title = coalesce((SELECT title FROM items WHERE story_id = $1 ORDER BY story_at, position LIMIT 1), title)
            WHERE id = $1
            """, [.text(story)])
    }
}
