import FeedwatchCore
import Store
@testable import StorePostgres
import TestSupport
import Testing

/// A PostgreSQL store written by an older feedwatch is brought up to this one's schema when it
/// is opened, and keeps what it held. The old store is made as that feedwatch made it: its
/// migrations, run by psql, and rows written at that schema.
@Suite struct PostgresMigrationTests {
    /// Schema 3 (before the items' foreign keys were dropped, migration 4) to the current one.
    @Test(.enabled(if: PostgresCluster.skipReason == nil || PostgresCluster.required, Comment(rawValue: PostgresCluster.skipReason ?? "")))
    func fromSchema3() throws {
        let cluster = try PostgresCluster.shared.get()
        let uri = try cluster.createDatabase("migrate")
        let candidate = ItemCandidate(FeedItem(id: "guid-1", title: "Old news", link: "https://a.example/1", summary: "kept"))
        _ = try cluster.psql(uri, PGSchema.migrations.prefix(3).joined(separator: "\n") + """
            CREATE TABLE feedwatch_schema (one boolean PRIMARY KEY DEFAULT true CHECK (one), version integer NOT NULL);
            INSERT INTO feedwatch_schema (version) VALUES (3);
            INSERT INTO feeds (id, url, current_url, entry) VALUES (7, 'https://a.example/feed', 'https://a.example/feed', 'e');
            INSERT INTO items (position, feed_id, entry_key, content_hash, link, title, summary, first_seen, last_seen, story_id, story_at)
                VALUES (1, 7, '\(candidate.entryKey)', '\(candidate.contentHash)', 'https://a.example/1', 'Old news', 'kept', 100, 100, 's1', 100);
            INSERT INTO stories (id, title, first_seen, last_seen, size) VALUES ('s1', 'Old news', 100, 100, 1);
            INSERT INTO alerts (position, alert_id, item_id, created_at, record) SELECT 2, 'a1', id, 100, '{}' FROM items;
            UPDATE ledger_clock SET last = 2;
            """)
        let foreignKeys = "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('items'::regclass, 'alerts'::regclass)"
        #expect(try cluster.psql(uri, foreignKeys) == "3\n")

        let store = try PostgresStore(uri: uri, node: "a")
        #expect(try cluster.psql(uri, "SELECT version FROM feedwatch_schema") == "\(PostgresStore.schemaVersion)\n")
        #expect(PostgresStore.schemaVersion >= 4)
        #expect(try cluster.psql(uri, foreignKeys) == "0\n")
        // What the old store held is still there, and read as before.
        #expect(try store.triage(feedID: 7, [candidate]) == [.unchanged])
        let members = try store.storyMembers(after: 0, since: Timestamp(secondsSince1970: 0))
        #expect(members.members.map(\.storyID) == ["s1"])
        #expect(members.through == 1)
        #expect(try cluster.psql(uri, "SELECT alert_id FROM alerts JOIN items ON items.id = alerts.item_id") == "a1\n")
        // Opened again: nothing left to do.
        _ = try PostgresStore(uri: uri, node: "b")
        #expect(try cluster.psql(uri, "SELECT version FROM feedwatch_schema") == "\(PostgresStore.schemaVersion)\n")
    }
}
