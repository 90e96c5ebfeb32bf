public import Store

/// `feedwatch migrate-store`: an SQLite store's tables copied into an empty PostgreSQL store, in
/// one transaction, ids and positions kept — so every sink's cursor, every dead letter and every
/// dedupe key means what it meant, and nothing is alerted again.
extension PostgresStore {
    /// Copies `tables` in; refuses (`.conflict`) a store that already holds feeds or alerts.
    /// `lastPosition`: the highest position the source ever handed out (the clock starts past it).
    public func importTables(_ tables: [TableRows], lastPosition: Int64) throws(StoreError) -> [String: Int] {
        try write { () throws(StoreError) -> [String: Int] in
            _ = try lockLedger()
            let used = try db.first("SELECT (SELECT count(*) FROM feeds) + (SELECT count(*) FROM alerts) + (SELECT count(*) FROM sink_cursors)") {
                $0.int(at: 0) ?? 0
            } ?? 0
            guard used == 0 else { throw StoreError(.conflict, "\(db.target) already holds a store: migrate into an empty database") }
            var counts: [String: Int] = [:]
            for t in tables {
                let placeholders = (1...t.columns.count).map { "$\($0)" }.joined(separator: ", ")
                let sql = "INSERT INTO \(t.table) (\(t.columns.joined(separator: ", "))) VALUES (\(placeholders))"
                for row in t.rows { try db.update(sql, row.map { $0.map(PGValue.text) ?? .null }) }
                counts[t.table] = t.rows.count
            }
            // Identities continue after the copied ids; positions after every copied position.
            for table in ["feeds", "items"] {
                try db.execute("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), greatest((SELECT max(id) FROM \(table)), 1))")
            }
            let highest = try db.first("""
                SELECT greatest($1::bigint, (SELECT coalesce(max(position), 0) FROM items), (SELECT coalesce(max(position), 0) FROM alerts),
                                (SELECT coalesce(max(cursor), 0) FROM sink_cursors))
                """, [.int(lastPosition)]) { $0.int(at: 0) ?? 0 } ?? 0
            // Corrections came numbered by the SQLite store's log: they take positions after
            // everything copied, in their order (negated first, so no two collide on the way).
            try db.update("UPDATE story_corrections SET position = -position")
            try db.update("UPDATE story_corrections SET position = $1 - position", [.int(highest)])
            let corrected = try db.first("SELECT coalesce(max(position), 0) FROM story_corrections") { $0.int(at: 0) ?? 0 } ?? 0
            try setLedgerClock(max(highest, corrected))
            return counts
        }
    }
}
