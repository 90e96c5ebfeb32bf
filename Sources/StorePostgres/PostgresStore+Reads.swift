public import FeedwatchCore
public import Store

extension PostgresStore {
    /// Items first seen at or after `since`, copies left out, in the order they committed.
    public func storedItems(seenSince since: Timestamp) throws(StoreError) -> [StoredItem] {
        try db.query("""
            SELECT f.url, i.entry_key, i.title, i.summary, i.link, i.published, i.first_seen FROM items i JOIN feeds f ON f.id = i.feed_id
            WHERE i.first_seen >= $1 AND i.duplicate_of IS NULL ORDER BY i.position
            """, [.int(since.secondsSince1970)]).map { r in
            let key = r.text(at: 1) ?? ""
            return StoredItem(feedURL: r.text(at: 0) ?? "", id: key.hasPrefix("id:") ? String(key.dropFirst(3)) : nil,
                              title: r.text(at: 2), summary: r.text(at: 3), link: r.text(at: 4), published: Self.time(r.int(at: 5)),
                              firstSeen: Timestamp(secondsSince1970: r.int(at: 6) ?? 0))
        }
    }
}

extension PostgresStore {
    /// What `/metrics` shows of the store: items, alerts, stories seen since `since`, and the
    /// database's size on disk.
    public func figures(storiesSeenSince since: Timestamp) throws(StoreError) -> (items: Int, alerts: Int, storiesOpen: Int, sizeBytes: Int) {
        let row = try db.first("""
            SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM alerts), (SELECT count(*) FROM stories WHERE last_seen >= $1),
                   pg_database_size(current_database())
            """, [.int(since.secondsSince1970)]) { r in
            (Int(r.int(at: 0) ?? 0), Int(r.int(at: 1) ?? 0), Int(r.int(at: 2) ?? 0), Int(r.int(at: 3) ?? 0))
        }
        return row ?? (0, 0, 0, 0)
    }
}
