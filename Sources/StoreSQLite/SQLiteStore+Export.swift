public import Store

/// What `feedwatch migrate-store` copies out of an SQLite store: every table a fleet's store
/// keeps, with the columns named as the PostgreSQL schema names them. Item row ids become item
/// positions: with one writer they were handed out in commit order, which positions must be.
extension SQLiteStore {
    /// (table, [(column as exported, SQLite expression)]), in an order that respects references.
    private static let exported: [(String, [(String, String)])] = [
        ("feeds", ["id", "url", "current_url", "entry", "active", "etag", "last_modified", "last_fetch_at", "last_success_at", "last_status",
                   "last_error", "errors_in_row", "next_due_at", "gone", "fetched_once", "items_seen", "publish_gap", "last_new_at",
                   "silent_alerted"].map { ($0, $0) }),
        ("feed_old_urls", [("feed_id", "feed_id"), ("url", "url")]),
        ("hosts", [("host", "host"), ("blocked_until", "blocked_until")]),
        ("stories", ["id", "title", "first_seen", "last_seen", "size", "topics"].map { ($0, $0) }),
        ("items", [("id", "id"), ("position", "id")] + ["feed_id", "entry_key", "content_hash", "link", "title", "summary", "published",
                                                       "first_seen", "last_seen", "article_key", "text_key", "duplicate_of", "story_id",
                                                       "story_at"].map { ($0, $0) }),
        ("alerts", ["position", "alert_id", "item_id", "created_at", "record"].map { ($0, $0) }),
        ("sink_cursors", [("sink", "sink"), ("cursor", "last_alert_rowid"), ("attempts", "attempts"), ("next_attempt_at", "next_attempt_at"),
                          ("last_error", "last_error"), ("summary_at", "summary_at")]),
        ("dead_letters", [("sink", "sink"), ("alert_position", "alert_rowid"), ("alert_id", "alert_id"), ("record", "record"),
                          ("attempts", "attempts"), ("error", "error"), ("dead_at", "dead_at"), ("requeued", "requeued")]),
        ("sink_stories", [("sink", "sink"), ("story_id", "story_id"), ("size", "size")]),
        // Corrections by hand: merges' aliases, mutes, pairs kept apart, and their log (its
        // sequence numbers become positions past everything copied, on import).
        ("story_merges", [("from_id", "from_id"), ("into_id", "into_id"), ("at", "at")]),
        ("story_mutes", [("story_id", "story_id"), ("until", "until")]),
        ("story_apart", [("a", "a"), ("b", "b")]),
        ("story_corrections", [("position", "seq"), ("kind", "kind"), ("subject", "subject"), ("at", "at")]),
    ]

    /// Every table, read in one transaction (a consistent copy), handed to `deliver` a chunk of
    /// at most `rowsPerChunk` rows at a time (each table at least once, empty or not), so a store
    /// of any size is copied in bounded memory; returns the highest position ever handed out
    /// (alerts' AUTOINCREMENT remembers pruned ones, which cursors may point at).
    public func exportTables(rowsPerChunk: Int = 2_000, _ deliver: (TableRows) throws(StoreError) -> Void) throws(StoreError) -> Int64 {
        try db.transaction { () throws(StoreError) -> Int64 in
            let last = try db.first("""
                SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'alerts'), 0),
                           coalesce((SELECT max(id) FROM items), 0), coalesce((SELECT max(last_alert_rowid) FROM sink_cursors), 0))
                """, []) { $0.int(at: 0) ?? 0 } ?? 0
            for (table, columns) in Self.exported {
                let select = columns.map { "CAST(\($0.1) AS TEXT)" }.joined(separator: ", ")
                let order = table == "items" || table == "feeds" ? " ORDER BY id" : ""
                var chunk = TableRows(table: table, columns: columns.map(\.0), rows: [])
                var delivered = false
                try db.each("SELECT \(select) FROM \(table)\(order)") { (row: Statement) throws(StoreError) in
                    chunk.rows.append((0..<columns.count).map { row.string(at: Int32($0)) })
                    if chunk.rows.count >= rowsPerChunk {
                        try deliver(chunk)
                        chunk.rows.removeAll(keepingCapacity: true)
                        delivered = true
                    }
                }
                if !chunk.rows.isEmpty || !delivered { try deliver(chunk) }
            }
            return last
        }
    }
}
