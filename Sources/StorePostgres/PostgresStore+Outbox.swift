public import FeedwatchCore
public import Store

/// The outbox: a cursor per sink over alert positions (commit order), and a lease per sink so
/// one node delivers it at a time, in order; when that node dies, the next claim after its lease
/// runs out carries on from the cursor — at least once, with the same alert ids.
extension PostgresStore {
    public func registerSinks(_ names: [String]) throws(StoreError) -> [String] {
        try write { () throws(StoreError) -> [String] in
            var added: [String] = []
            for name in names {
                let changed = try db.update("""
                    INSERT INTO sink_cursors (sink, cursor) SELECT $1, coalesce(max(position), 0) FROM alerts
                    ON CONFLICT (sink) DO NOTHING
                    """, [.text(name)])
                if changed > 0 { added.append(name) }
            }
            return added
        }
    }

    public func knownSinks() throws(StoreError) -> [String: SinkState] {
        var out: [String: SinkState] = [:]
        for row in try db.query("SELECT sink, cursor, attempts, next_attempt_at, last_error, summary_at FROM sink_cursors") {
            guard let name = row.text(at: 0) else { continue }
            out[name] = SinkState(cursor: row.int(at: 1) ?? 0, attempts: Int(row.int(at: 2) ?? 0), nextAttemptAt: Self.time(row.int(at: 3)),
                                  lastError: row.text(at: 4), summaryAt: Self.time(row.int(at: 5)))
        }
        return out
    }

    public func sinkState(sink: String) throws(StoreError) -> SinkState? {
        try db.first("SELECT cursor, attempts, next_attempt_at, last_error, summary_at FROM sink_cursors WHERE sink = $1", [.text(sink)]) { s in
            SinkState(cursor: s.int(at: 0) ?? 0, attempts: Int(s.int(at: 1) ?? 0), nextAttemptAt: Self.time(s.int(at: 2)),
                      lastError: s.text(at: 3), summaryAt: Self.time(s.int(at: 4)))
        }
    }

    /// The sink is this node's for `lease.seconds` on the server's clock, renewed by every claim
    /// and acknowledgement while it delivers; another node's live lease means no.
    public func claimSink(_ sink: String, lease: Lease) throws(StoreError) -> Bool {
        let claimed = try db.update("""
            UPDATE sink_cursors SET lease_node = $2, lease_until = \(Self.serverNow) + $3
            WHERE sink = $1 AND (lease_node IS NULL OR lease_node = $2 OR lease_until <= \(Self.serverNow))
            """, [.text(sink), .text(lease.node), .int(lease.seconds)]) > 0
        if claimed { sinkLeases[sink] = lease.seconds }
        return claimed
    }

    public func releaseSink(_ sink: String, lease: Lease) throws(StoreError) {
        try db.update("UPDATE sink_cursors SET lease_node = NULL, lease_until = NULL WHERE sink = $1 AND lease_node = $2",
                      [.text(sink), .text(lease.node)])
    }

    /// Which node delivers each sink now (a live lease).
    public func sinkHolders() throws(StoreError) -> [String: String] {
        var out: [String: String] = [:]
        for row in try db.query("SELECT sink, lease_node FROM sink_cursors WHERE lease_node IS NOT NULL AND lease_until > \(Self.serverNow)") {
            if let sink = row.text(at: 0), let node = row.text(at: 1) { out[sink] = node }
        }
        return out
    }

    public func alerts(after position: Int64, limit: Int) throws(StoreError) -> [StoredAlert] {
        // Positions are commit order: an alert visible at position p has every lower position
        // committed before it, so reading past a cursor never skips a late commit.
        try db.query("SELECT position, alert_id, record, created_at FROM alerts WHERE position > $1 ORDER BY position LIMIT $2",
                     [.int(position), .int(limit)]).compactMap(Self.storedAlert)
    }

    public func alertCount(after position: Int64) throws(StoreError) -> Int {
        Int(try db.first("SELECT count(*) FROM alerts WHERE position > $1", [.int(position)]) { $0.int(at: 0) ?? 0 } ?? 0)
    }

    public func lastAlertPosition() throws(StoreError) -> Int64 {
        try db.first("SELECT coalesce(max(position), 0) FROM alerts") { $0.int(at: 0) ?? 0 } ?? 0
    }

    public func alerts(createdFrom from: Timestamp, to: Timestamp) throws(StoreError) -> [StoredAlert] {
        try db.query("SELECT position, alert_id, record, created_at FROM alerts WHERE created_at >= $1 AND created_at < $2 ORDER BY position",
                     [.int(from.secondsSince1970), .int(to.secondsSince1970)]).compactMap(Self.storedAlert)
    }

    /// The cursor moves to `position`, as in every engine; this node's lease on the sink is
    /// renewed. A node whose lease ran out mid-delivery and was taken over is refused
    /// (`.conflict`): the cursor is the new holder's, which delivers from it — what the old one
    /// sent after its last acknowledgement goes out again, same ids (at least once), and nothing
    /// is skipped by a late acknowledgement moving the cursor under the new holder.
    public func acknowledge(sink: String, through position: Int64, storySizes: [String: Int]) throws(StoreError) {
        try write { () throws(StoreError) in
            if let holder = try db.first("SELECT lease_node FROM sink_cursors WHERE sink = $1 FOR UPDATE", [.text(sink)], { $0.text(at: 0) }) ?? nil,
               holder != node {
                throw StoreError(.conflict, "\(db.target): sink \(sink) was taken over by \(holder) since \(node) claimed it")
            }
            try db.update("""
                INSERT INTO sink_cursors (sink, cursor) VALUES ($1, $2)
                ON CONFLICT (sink) DO UPDATE SET cursor = excluded.cursor, attempts = 0,
                    next_attempt_at = NULL, last_error = NULL,
                    lease_until = CASE WHEN sink_cursors.lease_node = $3 THEN \(Self.serverNow) + $4 ELSE sink_cursors.lease_until END
                """, [.text(sink), .int(position), .text(node), .int(sinkLeases[sink] ?? 0)])
            for (story, size) in storySizes {
                try db.update("""
                    INSERT INTO sink_stories (sink, story_id, size) VALUES ($1, $2, $3)
                    ON CONFLICT (sink, story_id) DO UPDATE SET size = greatest(sink_stories.size, excluded.size)
                    """, [.text(sink), .text(story), .int(size)])
            }
        }
    }

    public func storySizes(sink: String, stories: [String]) throws(StoreError) -> [String: Int] {
        guard !stories.isEmpty else { return [:] }
        var out: [String: Int] = [:]
        for row in try db.query("SELECT story_id, size FROM sink_stories WHERE sink = $1 AND story_id = ANY($2::text[])",
                                [.text(sink), Self.textArray(Set(stories))]) {
            if let story = row.text(at: 0), let size = row.int(at: 1) { out[story] = Int(size) }
        }
        return out
    }

    public func fail(sink: String, attempts: Int, nextAttemptAt: Timestamp, error: String) throws(StoreError) {
        try db.update("""
            UPDATE sink_cursors SET attempts = $2, next_attempt_at = CASE WHEN $2 = 0 THEN NULL ELSE $3::bigint END,
                last_error = CASE WHEN $2 = 0 THEN NULL ELSE $4 END
            WHERE sink = $1
            """, [.text(sink), .int(attempts), .int(nextAttemptAt.secondsSince1970), .text(error)])
    }

    public func setSummaryTime(sink: String, at: Timestamp) throws(StoreError) {
        try db.update("UPDATE sink_cursors SET summary_at = $2 WHERE sink = $1", [.text(sink), .int(at.secondsSince1970)])
    }

    public func deadLetter(sink: String, _ alerts: [StoredAlert], attempts: Int, error: String, at: Timestamp, cursor: Int64) throws(StoreError) {
        try write { () throws(StoreError) in
            for a in alerts {
                try db.update("""
                    INSERT INTO dead_letters (sink, alert_position, alert_id, record, attempts, error, dead_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
                    ON CONFLICT (sink, alert_position) DO UPDATE SET attempts = excluded.attempts, error = excluded.error,
                        dead_at = excluded.dead_at, requeued = false
                    """, [.text(sink), .int(a.position), .text(a.id), .text(a.record), .int(attempts), .text(error), .int(at.secondsSince1970)])
            }
            try db.update("""
                UPDATE sink_cursors SET cursor = greatest(cursor, $2), attempts = 0, next_attempt_at = NULL, last_error = NULL WHERE sink = $1
                """, [.text(sink), .int(cursor)])
        }
    }

    public func deadLetters(sink: String?) throws(StoreError) -> [DeadLetter] {
        let sql = "SELECT sink, alert_position, alert_id, record, attempts, error, dead_at, requeued FROM dead_letters"
        let rows = if let sink { try db.query(sql + " WHERE sink = $1 ORDER BY alert_position", [.text(sink)]) } else {
            try db.query(sql + " ORDER BY sink, alert_position")
        }
        return rows.map { r in
            DeadLetter(sink: r.text(at: 0) ?? "",
                       alert: StoredAlert(position: r.int(at: 1) ?? 0, id: r.text(at: 2) ?? "", createdAt: Timestamp(secondsSince1970: r.int(at: 6) ?? 0),
                                          record: r.text(at: 3) ?? ""),
                       attempts: Int(r.int(at: 4) ?? 0), error: r.text(at: 5) ?? "", deadAt: Timestamp(secondsSince1970: r.int(at: 6) ?? 0),
                       requeued: r.bool(at: 7))
        }
    }

    public func requeue(alertID: String?) throws(StoreError) -> Int {
        if let alertID { return try db.update("UPDATE dead_letters SET requeued = true WHERE alert_id = $1 AND NOT requeued", [.text(alertID)]) }
        return try db.update("UPDATE dead_letters SET requeued = true WHERE NOT requeued")
    }

    public func removeDeadLetter(sink: String, position: Int64) throws(StoreError) {
        try db.update("DELETE FROM dead_letters WHERE sink = $1 AND alert_position = $2", [.text(sink), .int(position)])
    }

    public func moveSink(_ old: String, to new: String) throws(StoreError) {
        try write { () throws(StoreError) in
            guard let from = try sinkState(sink: old) else { throw StoreError(.notFound, "no sink \(old) in the store") }
            try db.update("""
                INSERT INTO sink_cursors (sink, cursor) VALUES ($1, $2)
                ON CONFLICT (sink) DO UPDATE SET cursor = least(sink_cursors.cursor, excluded.cursor)
                """, [.text(new), .int(from.cursor)])
            try db.update("""
                INSERT INTO dead_letters (sink, alert_position, alert_id, record, attempts, error, dead_at, requeued)
                SELECT $2, alert_position, alert_id, record, attempts, error, dead_at, requeued FROM dead_letters WHERE sink = $1
                ON CONFLICT (sink, alert_position) DO NOTHING
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
            try db.update("DELETE FROM \(table) WHERE sink = $1", [.text(sink)])
        }
    }

    static func storedAlert(_ row: PGRow) -> StoredAlert? {
        guard let p = row.int(at: 0), let id = row.text(at: 1), let record = row.text(at: 2) else { return nil }
        return StoredAlert(position: p, id: id, createdAt: Timestamp(secondsSince1970: row.int(at: 3) ?? 0), record: record)
    }
}
