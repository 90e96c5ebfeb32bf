public import FeedwatchCore
public import Store

extension SQLiteStore {
    /// Migration 10 (appended to `Schema.migrations`): story merges (by grouping or by hand) as
    /// aliases, so an absorbed story's id still finds its story; mutes; pairs a split set apart;
    /// and the log of corrections by hand, whose length tells a running daemon to rebuild.
    static let correctionsMigration = """
        CREATE TABLE story_merges (
            from_id TEXT PRIMARY KEY,            -- a story absorbed into another
            into_id TEXT NOT NULL,
            at INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE story_mutes (
            story_id TEXT PRIMARY KEY,
            until INTEGER                        -- NULL: until unmuted
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE story_apart (
            a TEXT NOT NULL,
            b TEXT NOT NULL,
            PRIMARY KEY (a, b)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE story_corrections (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,                  -- merge, split, mute
            subject TEXT NOT NULL,               -- the stories or item it concerned
            at INTEGER NOT NULL
        ) STRICT;
        """

    /// The story `id` is now: itself, or the story it was merged into (through any chain of
    /// merges); `nil` if the store knows neither.
    public func currentStory(_ id: String) throws(StoreError) -> String? {
        var id = id
        var seen: Set<String> = []
        while seen.insert(id).inserted,
              let next = try db.first("SELECT into_id FROM story_merges WHERE from_id = ?", [.text(id)], { $0.string(at: 0) }) ?? nil {
            id = next
        }
        return try db.first("SELECT 1 FROM stories WHERE id = ?", [.text(id)], { _ in true }) == nil ? nil : id
    }

    /// The feed and placement time of a story's earliest-published item stored so far.
    public func storyFirst(_ story: String) throws(StoreError) -> (feedURL: String, at: Timestamp)? {
        try db.first("""
            SELECT f.url, i.story_at FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.story_id = ?
            ORDER BY i.story_at, i.id LIMIT 1
            """, [.text(story)]) { ($0.string(at: 0) ?? "", Timestamp(secondsSince1970: $0.int(at: 1) ?? 0)) }
    }

    /// What the grouping must follow at `now`.
    public func storyCorrections(at now: Timestamp) throws(StoreError) -> StoryCorrections {
        let mark = try db.first("SELECT coalesce(max(seq), 0) FROM story_corrections WHERE kind NOT IN ('mute', 'unmute')", []) { $0.int(at: 0) ?? 0 } ?? 0
        let muted = try db.query("SELECT story_id FROM story_mutes WHERE until IS NULL OR until > ?", [.integer(now.secondsSince1970)])
            .compactMap { $0.text(at: 0) }
        let apart = try db.query("SELECT a, b FROM story_apart ORDER BY a, b").map { ($0.text(at: 0) ?? "", $0.text(at: 1) ?? "") }
        return StoryCorrections(mark: mark, muted: Set(muted), apart: apart)
    }

    /// Moves every item of `absorbed` into `into`, with their sinks' sizes, topics, mutes and
    /// span, and keeps each absorbed id as an alias. The title becomes that of the story's
    /// earliest-published item and the size a count of its items (copies are never in a story):
    /// one story, one face, however it was put together. Inside the caller's transaction.
    func absorb(_ absorbed: [String], into: String, now: Timestamp) throws(StoreError) {
        for from in absorbed where from != into {
            guard let topics = try db.first("SELECT topics FROM stories WHERE id = ?", [.text(from)], { $0.string(at: 0) ?? "" }) else {
                continue  // merged already, or pruned
            }
            try db.run("UPDATE items SET story_id = ?1 WHERE story_id = ?2", [.text(into), .text(from)])
            try db.run("""
                INSERT INTO sink_stories (sink, story_id, size) SELECT sink, ?1, size FROM sink_stories WHERE story_id = ?2
                ON CONFLICT (sink, story_id) DO UPDATE SET size = max(size, excluded.size)
                """, [.text(into), .text(from)])
            try db.run("DELETE FROM sink_stories WHERE story_id = ?", [.text(from)])
            // A muted part mutes the whole: what the user silenced must stay silent.
            try db.run("""
                INSERT INTO story_mutes (story_id, until) SELECT ?1, until FROM story_mutes WHERE story_id = ?2
                ON CONFLICT (story_id) DO UPDATE SET until = CASE WHEN until IS NULL OR excluded.until IS NULL THEN NULL
                                                                  ELSE max(until, excluded.until) END
                """, [.text(into), .text(from)])
            try db.run("DELETE FROM story_mutes WHERE story_id = ?", [.text(from)])
            let mine = try db.first("SELECT topics FROM stories WHERE id = ?", [.text(into)], { $0.string(at: 0) ?? "" }) ?? ""
            var all = mine.split(separator: "\n").map(String.init)
            for t in topics.split(separator: "\n").map(String.init) where !all.contains(t) { all.append(t) }
            try db.run("""
                UPDATE stories SET topics = ?2,
                    first_seen = min(first_seen, (SELECT first_seen FROM stories WHERE id = ?3)),
                    last_seen = max(last_seen, (SELECT last_seen FROM stories WHERE id = ?3))
                WHERE id = ?1
                """, [.text(into), .text(all.joined(separator: "\n")), .text(from)])
            try db.run("DELETE FROM stories WHERE id = ?", [.text(from)])
            try db.run("UPDATE story_merges SET into_id = ?1 WHERE into_id = ?2", [.text(into), .text(from)])
            try db.run("INSERT OR REPLACE INTO story_merges (from_id, into_id, at) VALUES (?, ?, ?)",
                       [.text(from), .text(into), .integer(now.secondsSince1970)])
            try db.run("UPDATE story_apart SET a = ?1 WHERE a = ?2", [.text(into), .text(from)])
            try db.run("UPDATE story_apart SET b = ?1 WHERE b = ?2", [.text(into), .text(from)])
            try db.run("DELETE FROM story_apart WHERE a = b")
        }
        try refreshFace(of: into)
    }

    /// A story's title (its earliest-published item's) and size (its items), from its items.
    func refreshFace(of story: String) throws(StoreError) {
        try db.run("""
            UPDATE stories SET
                size = (SELECT count(*) FROM items WHERE story_id = ?1),
                title = coalesce((SELECT title FROM items WHERE story_id = ?1 ORDER BY story_at, id LIMIT 1), title)
            WHERE id = ?1
            """, [.text(story)])
    }

    /// `feedwatch stories merge`: the stories become one, the one whose first item was published
    /// first (as grouping merges), which is returned. Unknown ids throw; ids merged before are
    /// followed to their story.
    public func mergeStories(_ ids: [String], now: Timestamp) throws(StoreError) -> String {
        try correcting { () throws(StoreError) -> String in
            var current: [String] = []
            for id in ids {
                guard let c = try currentStory(id) else {
                    throw StoreError(.notFound, "no story \(id) (feedwatch stories --json lists their ids)")
                }
                if !current.contains(c) { current.append(c) }
            }
            guard current.count >= 2 else { throw StoreError(.conflict, "\(ids.joined(separator: ", ")): one story already") }
            var first: (at: Int64, id: String)?
            for c in current {
                let at = try db.first("SELECT min(story_at) FROM items WHERE story_id = ?", [.text(c)], { $0.int(at: 0) }) ?? nil
                let key = (at ?? .max, c)
                if first == nil || key < (first!.at, first!.id) { first = key }
            }
            let into = first!.id
            try absorb(current.filter { $0 != into }, into: into, now: now)
            // Merged by hand: whatever a split had set apart among them is joined now.
            try db.run("DELETE FROM story_apart WHERE a = b")
            try note("merge", current.joined(separator: " "), now: now)
            return into
        }
    }

    /// The item `ref` names: an alert id, a link, or the item's id in its feed.
    public func storyItem(_ ref: String) throws(StoreError) -> StoryItemRef? {
        let queries = [
            "SELECT i.id, i.story_id, i.title FROM alerts a JOIN items i ON i.id = a.item_id WHERE a.alert_id = ?1 AND i.story_id IS NOT NULL",
            "SELECT id, story_id, title FROM items WHERE link = ?1 AND story_id IS NOT NULL ORDER BY id",
            "SELECT id, story_id, title FROM items WHERE entry_key = 'id:' || ?1 AND story_id IS NOT NULL ORDER BY id",
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

    /// `feedwatch stories split ITEM`: the item leaves its story for a story of its own, which
    /// grouping keeps apart from the old one. Returns the new story's id, and the old story's
    /// (`nil` when the item was its only item: nothing to split).
    public func splitItem(_ ref: String, now: Timestamp) throws(StoreError) -> (new: String, old: String)? {
        try correcting { () throws(StoreError) -> (new: String, old: String)? in
            guard let item = try storyItem(ref) else {
                throw StoreError(.notFound, "no grouped item \(ref) (give its alert id, link or id; feedwatch stories --json lists them)")
            }
            let others = try db.first("SELECT count(*) FROM items WHERE story_id = ? AND id <> ?",
                                      [.text(item.storyID), .integer(item.itemID)]) { $0.int(at: 0) ?? 0 } ?? 0
            guard others > 0 else { return nil }
            let seq = try note("split", "\(item.itemID) \(item.storyID)", now: now)
            let new = "st_split\(seq)_\(item.itemID)"
            let times = try db.first("SELECT first_seen, last_seen FROM items WHERE id = ?", [.integer(item.itemID)]) {
                ($0.int(at: 0) ?? now.secondsSince1970, $0.int(at: 1) ?? now.secondsSince1970)
            } ?? (now.secondsSince1970, now.secondsSince1970)
            let topics = try db.first("SELECT topics FROM stories WHERE id = ?", [.text(item.storyID)], { $0.string(at: 0) ?? "" }) ?? ""
            try db.run("INSERT INTO stories (id, title, first_seen, last_seen, size, topics) VALUES (?, ?, ?, ?, 1, ?)",
                       [.text(new), Self.text(item.title), .integer(times.0), .integer(times.1), .text(topics)])
            try db.run("UPDATE items SET story_id = ? WHERE id = ?", [.text(new), .integer(item.itemID)])
            try db.run("INSERT OR IGNORE INTO story_apart (a, b) VALUES (?, ?)", [.text(item.storyID), .text(new)])
            try refreshFace(of: item.storyID)
            return (new, item.storyID)
        }
    }

    /// `feedwatch stories mute STORY [--for D]`: until `until` (`nil`: for good), the story's
    /// items alert no sink. Returns the story muted (an absorbed id is followed).
    public func muteStory(_ id: String, until: Timestamp?, now: Timestamp) throws(StoreError) -> String {
        try correcting { () throws(StoreError) -> String in
            guard let story = try currentStory(id) else {
                throw StoreError(.notFound, "no story \(id) (feedwatch stories --json lists their ids)")
            }
            try db.run("INSERT OR REPLACE INTO story_mutes (story_id, until) VALUES (?, ?)",
                       [.text(story), until.map { .integer($0.secondsSince1970) } ?? .null])
            try note("mute", story, now: now)
            return story
        }
    }

    /// Lets a muted story alert again from its next item on (what it held back stays unsent).
    /// Returns the story, or `nil` if it was not muted.
    public func unmuteStory(_ id: String, now: Timestamp) throws(StoreError) -> String? {
        try correcting { () throws(StoreError) -> String? in
            guard let story = try currentStory(id) else {
                throw StoreError(.notFound, "no story \(id) (feedwatch stories --json lists their ids)")
            }
            guard try db.run("DELETE FROM story_mutes WHERE story_id = ?", [.text(story)]) > 0 else { return nil }
            try note("unmute", story, now: now)
            return story
        }
    }

    /// A correction's write, while no writer is placing (a daemon beside this process waits for
    /// it before its next batch's catch-up, and this waits for the batch being placed).
    private func correcting<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let held = placement.isHeld
        if !held { try placement.hold() }
        defer { if !held { placement.release() } }
        return try write(body)
    }

    /// Records a correction by hand; returns its sequence number.
    @discardableResult
    private func note(_ kind: String, _ subject: String, now: Timestamp) throws(StoreError) -> Int64 {
        try db.run("INSERT INTO story_corrections (kind, subject, at) VALUES (?, ?, ?)",
                   [.text(kind), .text(subject), .integer(now.secondsSince1970)])
        return db.lastInsertRowID
    }
}
