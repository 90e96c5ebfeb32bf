public import FeedwatchCore
public import Store

/// The feed queue: claims are leases on rows, taken with `FOR UPDATE SKIP LOCKED` (the pattern
/// of PostgreSQL job queues), so nodes claiming at once never wait for each other nor take the
/// same feed.
extension PostgresStore {
    public func syncFeeds(_ entries: [(url: String, entry: String)], now: Timestamp) throws(StoreError) -> [FeedRecord] {
        try releasePlacementLock()  // a new cycle: nothing of the last one may still hold placement
        var changed = false
        var current: [FeedRecord] = []
        try write { () throws(StoreError) in
            var stored: [String: (entry: String, active: Bool)] = [:]
            for row in try db.query(Self.selectAllFeeds) {
                guard let url = row.text(at: 1) else { continue }
                let active = row.bool(at: 17)
                stored[url] = (row.text(at: 16) ?? "", active)
                if active { current.append(Self.feed(row)) }
            }
            var wanted = Set<String>()
            var added: [(url: String, entry: String)] = []
            for (url, entry) in entries {
                wanted.insert(url)
                guard let old = stored[url] else {
                    added.append((url, entry))
                    continue
                }
                if old.entry != entry || !old.active { changed = true }
                if old.entry != entry {
                    try db.update("""
                        UPDATE feeds SET active = true, entry = $2, gone = false, errors_in_row = 0, next_due_at = $3 WHERE url = $1
                        """, [.text(url), .text(entry), .int(now.secondsSince1970)])
                } else if !old.active {
                    try db.update("UPDATE feeds SET active = true WHERE url = $1", [.text(url)])
                }
            }
            if !added.isEmpty {
                // In one statement, in config order. Every node syncs the same config: the first
                // to insert wins, the others find it.
                try db.update("""
                    INSERT INTO feeds (url, current_url, entry, next_due_at)
                    SELECT u.url, u.url, u.entry, $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(url, entry, n) ORDER BY u.n
                    ON CONFLICT (url) DO NOTHING
                    """, [Self.textArray(added.map(\.url)), Self.textArray(added.map(\.entry)), .int(now.secondsSince1970)])
                changed = true
            }
            for (url, old) in stored where old.active && !wanted.contains(url) {
                try db.update("UPDATE feeds SET active = false WHERE url = $1", [.text(url)])
                changed = true
            }
        }
        return changed ? try db.query(Self.selectActiveFeeds).map(Self.feed) : current
    }

    /// One feed by its configured URL (tests and tools).
    public func feed(url: String) throws(StoreError) -> FeedRecord? {
        try db.first(Self.selectFeedByURL, [.text(url)], Self.feed)
    }

    /// Due feeds no other node holds a live lease on, leased to `lease.node` on the server's
    /// clock. A node's own leases (feeds it claimed and did not record: a batch set aside, a
    /// restart under the same name) are its to take again.
    ///
    /// A node takes its share of what is due — every due feed, claimed or not, divided among
    /// the nodes seen within a lease's length — so fetching spreads over the fleet; what it
    /// leaves is due at once for the next claim, its own or another's.
    public func claimDue(at now: Timestamp, limit: Int, lease: Lease) throws(StoreError) -> [FeedRecord] {
        feedLease = lease
        try db.update("""
            INSERT INTO fleet_nodes (node, seen_at) VALUES ($1, \(Self.serverNow))
            ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at
            """, [.text(lease.node)])
        let (due, nodes) = try db.first("""
            SELECT (SELECT count(*) FROM feeds WHERE active AND NOT gone AND next_due_at <= $1),
                   (SELECT count(*) FROM fleet_nodes WHERE seen_at > \(Self.serverNow) - $2)
            """, [.int(now.secondsSince1970), .int(lease.seconds)]) { ($0.int(at: 0) ?? 0, max($0.int(at: 1) ?? 1, 1)) } ?? (0, 1)
        guard due > 0 else { return [] }
        let share = Int((due + nodes - 1) / nodes)
        let rows = try db.query("""
            UPDATE feeds SET lease_node = $2, lease_until = \(Self.serverNow) + $3
            WHERE id IN (
                SELECT id FROM feeds
                WHERE active AND NOT gone AND next_due_at <= $1
                  AND (lease_node IS NULL OR lease_node = $2 OR lease_until <= \(Self.serverNow))
                ORDER BY next_due_at, id LIMIT $4
                FOR UPDATE SKIP LOCKED)
            RETURNING \(Self.feedColumns)
            """, [.int(now.secondsSince1970), .text(lease.node), .int(lease.seconds), .int(min(limit, share))])
        return rows.map(Self.feed).sorted { ($0.nextDueAt, $0.id) < ($1.nextDueAt, $1.id) }
    }

    /// When the next feed falls due for this node: a feed another node holds is due for it only
    /// once that lease runs out (so an idle node does not spin on its neighbour's work).
    public func nextDue() throws(StoreError) -> Timestamp? {
        try db.first("""
            SELECT min(CASE WHEN lease_node IS NOT NULL AND lease_node <> $1 AND lease_until > \(Self.serverNow)
                            THEN greatest(next_due_at, lease_until) ELSE next_due_at END)
            FROM feeds WHERE active AND NOT gone
            """, [.text(node)]) { Self.time($0.int(at: 0)) } ?? nil
    }

    /// Outcomes, their host blocks and health alerts in one commit, releasing the feeds' leases
    /// and renewing this node's others (the heartbeat). An outcome for a feed another node now
    /// holds — this node's lease ran out and it was taken over — is refused whole (`.conflict`):
    /// that node's poll is the one that counts.
    public func record(_ outcomes: [FeedOutcome]) throws(StoreError) {
        guard !outcomes.isEmpty else { return }
        try write { () throws(StoreError) in
            let hasAlerts = outcomes.contains { !$0.alerts.isEmpty }
            var clock = hasAlerts ? try lockLedger() : 0
            let taken = try db.query("""
                SELECT url, lease_node FROM feeds WHERE id = ANY($1::bigint[]) AND lease_node IS NOT NULL AND lease_node <> $2
                ORDER BY id FOR UPDATE
                """, [Self.intArray(outcomes.map(\.feedID)), .text(node)])
            if !taken.isEmpty {
                let names = taken.map { "\($0.text(at: 0) ?? "?") (held by \($0.text(at: 1) ?? "?"))" }.joined(separator: ", ")
                throw StoreError(.conflict, "\(db.target): \(names): taken over by another node since this one claimed it")
            }
            for o in outcomes {
                guard let moved = o.fetch.movedTo else { continue }
                try db.update("""
                    INSERT INTO feed_old_urls (feed_id, url) SELECT id, current_url FROM feeds WHERE id = $1 ON CONFLICT DO NOTHING
                    """, [.int(o.feedID)])
                try db.update("UPDATE feeds SET current_url = $2 WHERE id = $1", [.int(o.feedID), .text(moved)])
            }
            // The outcomes in one statement (a round trip per feed was a tenth of a cold cycle);
            // one for each stretch in which no feed comes twice, so a feed's later outcome in the
            // same call counts on its earlier one (a second failure in a row).
            var start = 0
            while start < outcomes.count {
                var seen = Set<Int64>()
                let end = outcomes[start...].firstIndex { !seen.insert($0.feedID).inserted } ?? outcomes.count
                try recordFetches(outcomes[start..<end])
                start = end
            }
            for o in outcomes {
                if let (host, until) = o.blockHost {
                    try db.update("""
                        INSERT INTO hosts (host, blocked_until) VALUES ($1, $2)
                        ON CONFLICT (host) DO UPDATE SET blocked_until = greatest(hosts.blocked_until, excluded.blocked_until)
                        """, [.text(host), .int(until.secondsSince1970)])
                }
                for alert in o.alerts {
                    let inserted = try db.update("""
                        INSERT INTO alerts (position, alert_id, item_id, created_at, record) VALUES ($1, $2, NULL, $3, $4)
                        ON CONFLICT (alert_id) DO NOTHING
                        """, [.int(clock + 1), .text(alert.id), .int(o.fetch.at.secondsSince1970), .text(alert.record)])
                    clock += Int64(inserted)
                }
            }
            if hasAlerts { try setLedgerClock(clock) }
            if let lease = feedLease {
                // The heartbeat: only leases past half their length are renewed, so a batch does
                // not rewrite every row this node holds (a third of 10,000 feeds, every batch).
                try db.update("""
                    UPDATE feeds SET lease_until = \(Self.serverNow) + $2
                    WHERE lease_node = $1 AND lease_until < \(Self.serverNow) + $2 / 2
                    """, [.text(lease.node), .int(lease.seconds)])
            }
        }
    }

    /// Outcomes of distinct feeds in one statement.
    private func recordFetches(_ outcomes: ArraySlice<FeedOutcome>) throws(StoreError) {
        let fetches = outcomes.map(\.fetch)
        try db.update("""
            UPDATE feeds SET
                last_fetch_at = u.at, last_status = u.status, last_error = u.error, next_due_at = u.next_due_at, gone = u.gone,
                errors_in_row = CASE WHEN u.error IS NULL THEN 0 ELSE feeds.errors_in_row + 1 END,
                last_success_at = CASE WHEN u.error IS NULL THEN u.at ELSE feeds.last_success_at END,
                etag = CASE WHEN u.error IS NULL AND u.status IS DISTINCT FROM 304 THEN u.etag ELSE feeds.etag END,
                last_modified = CASE WHEN u.error IS NULL AND u.status IS DISTINCT FROM 304 THEN u.last_modified ELSE feeds.last_modified END,
                fetched_once = feeds.fetched_once OR u.error IS NULL,
                silent_alerted = coalesce(u.silent_alerted, feeds.silent_alerted),
                lease_node = NULL, lease_until = NULL
            FROM unnest($1::bigint[], $2::bigint[], $3::integer[], $4::text[], $5::bigint[], $6::boolean[], $7::text[], $8::text[],
                        $9::boolean[])
                 AS u(id, at, status, error, next_due_at, gone, etag, last_modified, silent_alerted)
            WHERE feeds.id = u.id
            """, [Self.intArray(outcomes.map(\.feedID)), Self.intArray(fetches.map(\.at.secondsSince1970)),
                  Self.optionalArray(fetches.map { $0.status.map(String.init) }), Self.optionalArray(fetches.map(\.error)),
                  Self.intArray(fetches.map(\.nextDueAt.secondsSince1970)), Self.textArray(fetches.map { $0.gone ? "t" : "f" }),
                  Self.optionalArray(fetches.map(\.etag)), Self.optionalArray(fetches.map(\.lastModified)),
                  Self.optionalArray(outcomes.map { $0.silentAlerted.map { $0 ? "t" : "f" } })])
    }

    public func blockedHosts(at now: Timestamp) throws(StoreError) -> [String: Timestamp] {
        var out: [String: Timestamp] = [:]
        for row in try db.query("SELECT host, blocked_until FROM hosts WHERE blocked_until > $1", [.int(now.secondsSince1970)]) {
            if let host = row.text(at: 0), let until = row.int(at: 1) { out[host] = Timestamp(secondsSince1970: until) }
        }
        return out
    }

    public func allFeeds() throws(StoreError) -> [FeedRecord] {
        try db.query(Self.selectActiveFeeds).map(Self.feed)
    }

    public func feedCounts() throws(StoreError) -> (feeds: Int, failing: Int) {
        try db.first("SELECT count(*), count(*) FILTER (WHERE errors_in_row > 0 AND NOT gone) FROM feeds WHERE active") {
            (Int($0.int(at: 0) ?? 0), Int($0.int(at: 1) ?? 0))
        } ?? (0, 0)
    }

    /// Which node holds each leased feed now (a live lease), by feed id.
    public func feedHolders() throws(StoreError) -> [Int64: String] {
        var out: [Int64: String] = [:]
        for row in try db.query("SELECT id, lease_node FROM feeds WHERE lease_node IS NOT NULL AND lease_until > \(Self.serverNow)") {
            if let id = row.int(at: 0), let node = row.text(at: 1) { out[id] = node }
        }
        return out
    }

    static let feedColumns = """
        id, url, current_url, etag, last_modified, last_fetch_at, last_status, last_error, errors_in_row, \
        next_due_at, gone, fetched_once, items_seen, publish_gap, last_new_at, silent_alerted, entry, active, gaps_seen
        """
    static let selectAllFeeds = "SELECT \(feedColumns) FROM feeds ORDER BY id"
    static let selectActiveFeeds = "SELECT \(feedColumns) FROM feeds WHERE active ORDER BY id"
    static let selectFeedByURL = "SELECT \(feedColumns) FROM feeds WHERE url = $1"

    static func feed(_ r: PGRow) -> FeedRecord {
        FeedRecord(
            id: r.int(at: 0) ?? 0, url: r.text(at: 1) ?? "", currentURL: r.text(at: 2) ?? "",
            etag: r.text(at: 3), lastModified: r.text(at: 4), lastFetchAt: time(r.int(at: 5)),
            lastStatus: r.int(at: 6).map(Int.init), lastError: r.text(at: 7), errorsInRow: Int(r.int(at: 8) ?? 0),
            nextDueAt: Timestamp(secondsSince1970: r.int(at: 9) ?? 0), gone: r.bool(at: 10), fetchedOnce: r.bool(at: 11),
            itemsSeen: Int(r.int(at: 12) ?? 0), publishGap: r.int(at: 13).map(Int.init), lastNewAt: time(r.int(at: 14)),
            silentAlerted: r.bool(at: 15), gapsSeen: Int(r.int(at: 18) ?? 0))
    }
}
