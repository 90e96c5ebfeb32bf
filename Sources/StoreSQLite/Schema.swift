/// The store's schema as an append-only list of migrations: a database at version N runs
/// migrations N+1… in one transaction each, and `PRAGMA user_version` records how far it got.
/// Never edit a migration that has shipped; add one.
enum Schema {
    static let migrations: [String] = [
        // 1: feeds, the hosts that asked us to wait, items with their dedupe keys, alerts.
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,              -- as the config names it
            current_url TEXT NOT NULL,             -- after permanent redirects (301/308)
            entry TEXT NOT NULL,                   -- the config entry; a change clears gone/backoff
            active INTEGER NOT NULL DEFAULT 1,     -- still in the config
            etag TEXT,
            last_modified TEXT,
            last_fetch_at INTEGER,
            last_success_at INTEGER,
            last_status INTEGER,
            last_error TEXT,
            errors_in_row INTEGER NOT NULL DEFAULT 0,
            next_due_at INTEGER NOT NULL DEFAULT 0,
            gone INTEGER NOT NULL DEFAULT 0,
            fetched_once INTEGER NOT NULL DEFAULT 0,
            items_seen INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE TABLE feed_old_urls (
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            PRIMARY KEY (feed_id, url)
        ) STRICT;
        CREATE TABLE hosts (
            host TEXT PRIMARY KEY,
            blocked_until INTEGER NOT NULL          -- Retry-After of a 429/503
        ) STRICT;
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            entry_key TEXT NOT NULL,               -- id:…, link:…, or text:<hash of title and summary>
            content_hash TEXT NOT NULL,            -- of the stored text: a change updates in place
            link TEXT,
            title TEXT,
            summary TEXT,
            published INTEGER,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            UNIQUE (feed_id, entry_key)
        ) STRICT;
        CREATE TABLE alerts (
            alert_id TEXT PRIMARY KEY,
            item_id INTEGER NOT NULL UNIQUE REFERENCES items(id) ON DELETE CASCADE,
            created_at INTEGER NOT NULL,
            record TEXT NOT NULL                   -- the alert record as the sinks receive it
        ) STRICT;
        CREATE INDEX feeds_due ON feeds (next_due_at) WHERE active AND NOT gone;
        """,
        // 2: how far each sink has got through the alerts (an outbox cursor per sink).
        """
        CREATE TABLE sink_cursors (
            sink TEXT PRIMARY KEY,
            last_alert_rowid INTEGER NOT NULL
        ) STRICT;
        """,
        // 3: retention finds the items whose bodies are due for pruning without reading the whole
        // table (it ran after every `once`: a full scan of a 200,000-item store each time).
        """
        CREATE INDEX items_prunable ON items (last_seen) WHERE link IS NOT NULL OR title IS NOT NULL OR summary IS NOT NULL;
        """,
        // 4: how often each feed publishes, for adaptive polling.
        """
        ALTER TABLE feeds ADD COLUMN publish_gap INTEGER;   -- typical seconds between polls that found new items
        ALTER TABLE feeds ADD COLUMN last_new_at INTEGER;   -- when a poll last found a new item
        """,
        // 5: the outbox's retry state: a sink that failed waits before its next attempt; a
        // delivery that keeps failing is dead-lettered (with a copy of its record, which
        // retention may otherwise drop) until `outbox retry` requeues it.
        """
        ALTER TABLE sink_cursors ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;  -- failed attempts at the head
        ALTER TABLE sink_cursors ADD COLUMN next_attempt_at INTEGER;              -- no attempt before this
        ALTER TABLE sink_cursors ADD COLUMN last_error TEXT;
        ALTER TABLE sink_cursors ADD COLUMN summary_at INTEGER;                   -- digest: last summary block
        CREATE TABLE dead_letters (
            sink TEXT NOT NULL,
            alert_rowid INTEGER NOT NULL,
            alert_id TEXT NOT NULL,
            record TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            error TEXT NOT NULL,
            dead_at INTEGER NOT NULL,
            requeued INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (sink, alert_rowid)
        ) STRICT;
        CREATE INDEX alerts_created ON alerts (created_at);   -- digests summarize a period
        """,
        // 6: alerts get a position that is never reused (sink cursors point into it, and pruning
        // may empty the table), and may concern a feed rather than an item (health alerts).
        """
        CREATE TABLE alerts_new (
            position INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id TEXT NOT NULL UNIQUE,
            item_id INTEGER UNIQUE REFERENCES items(id) ON DELETE CASCADE,   -- NULL: a feed health alert
            created_at INTEGER NOT NULL,
            record TEXT NOT NULL
        ) STRICT;
        INSERT INTO alerts_new (position, alert_id, item_id, created_at, record)
            SELECT rowid, alert_id, item_id, created_at, record FROM alerts ORDER BY rowid;
        DROP TABLE alerts;
        ALTER TABLE alerts_new RENAME TO alerts;
        CREATE INDEX alerts_created ON alerts (created_at);
        INSERT INTO sqlite_sequence (name, seq) SELECT 'alerts', max(
            coalesce((SELECT max(position) FROM alerts), 0), coalesce((SELECT max(last_alert_rowid) FROM sink_cursors), 0))
            WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'alerts');
        UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(last_alert_rowid) FROM sink_cursors), 0)) WHERE name = 'alerts';
        ALTER TABLE feeds ADD COLUMN silent_alerted INTEGER NOT NULL DEFAULT 0;  -- a "silent" health alert went out
        """,
        // 7: the same article reached through other feeds or URLs: its canonical link, its text
        // on its site, and the item it copies (which alerted; the copy does not).
        """
        ALTER TABLE items ADD COLUMN article_key INTEGER;   -- ArticleKey.linkHash of the canonical link
        ALTER TABLE items ADD COLUMN text_key INTEGER;      -- ArticleKey.text: site, title, summary
        ALTER TABLE items ADD COLUMN duplicate_of INTEGER REFERENCES items(id) ON DELETE SET NULL;
        CREATE INDEX items_article ON items (article_key) WHERE article_key IS NOT NULL;
        CREATE INDEX items_text ON items (text_key) WHERE text_key IS NOT NULL;
        """,
        // 8: stories — items from any feed that report one event — and, per sink, how far each
        // story's coverage had grown at the last alert of it the sink took (`stories:` policies).
        """
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            title TEXT,                          -- its first item's
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            size INTEGER NOT NULL,               -- items, copies (duplicate_of) not counted
            topics TEXT NOT NULL DEFAULT ''      -- topic names its items matched, one per line
        ) STRICT;
        CREATE INDEX stories_last_seen ON stories (last_seen);
        ALTER TABLE items ADD COLUMN story_id TEXT;
        ALTER TABLE items ADD COLUMN story_at INTEGER;  -- where grouping placed it in time: published, or first seen
        CREATE INDEX items_story ON items (story_id) WHERE story_id IS NOT NULL;
        CREATE INDEX items_story_at ON items (story_at) WHERE story_id IS NOT NULL;
        CREATE INDEX items_duplicate ON items (duplicate_of) WHERE duplicate_of IS NOT NULL;
        CREATE TABLE sink_stories (
            sink TEXT NOT NULL,
            story_id TEXT NOT NULL,
            size INTEGER NOT NULL,               -- the story's size in the last of its alerts the sink took
            PRIMARY KEY (sink, story_id)
        ) STRICT, WITHOUT ROWID;
        """,
        // 9: how many gaps between new items `publish_gap` was estimated from: a feed is called
        // silent only once it has shown a rhythm (one gap of a minute is not one).
        """
        ALTER TABLE feeds ADD COLUMN gaps_seen INTEGER NOT NULL DEFAULT 0;
        """,
        // 10: corrections of stories (merges, splits, mutes): SQLiteStore+Corrections.swift.
        SQLiteStore.correctionsMigration,
    ]
}
