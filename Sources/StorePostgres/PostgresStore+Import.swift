public import Store

/// `feedwatch migrate-store`: an SQLite store's tables copied into an empty PostgreSQL store, in
/// one transaction, ids and positions kept — so every sink's cursor, every dead letter and every
/// dedupe key means what it meant, and nothing is alerted again.
extension PostgresStore {
    /// Copies in what `copy` hands to the function it is given — tables in reference order, each
    /// in one or more chunks — and returns the rows copied per table. `copy` returns the highest
    /// position the source ever handed out (the clock starts past it). Refuses (`.conflict`) a
    /// store that already holds feeds or alerts, before `copy` is called.
    public func importTables(_ copy: (_ insert: (TableRows) throws(StoreError) -> Void) throws(StoreError) -> Int64) throws(StoreError) -> [String: Int] {
        try write { () throws(StoreError) -> [String: Int] in
            _ = try lockLedger()
            let used = try db.first("SELECT (SELECT count(*) FROM feeds) + (SELECT count(*) FROM alerts) + (SELECT count(*) FROM sink_cursors)") {
                $0.int(at: 0) ?? 0
            } ?? 0
            guard used == 0 else { throw StoreError(.conflict, "\(db.target) already holds a store: migrate into an empty database") }
            var counts: [String: Int] = [:]
            let lastPosition = try copy { (t: TableRows) throws(StoreError) in
                // Many rows a statement: a round trip per row made copying a 200,000-item store
                // take minutes (BENCHMARKS.md, "migrate-store").
                let perStatement = max(1, Self.parametersPerStatement / max(t.columns.count, 1))
                var start = 0
                while start < t.rows.count {
                    let rows = t.rows[start..<min(start + perStatement, t.rows.count)]
                    try db.update(Self.insert(into: t.table, columns: t.columns, rows: rows.count),
                                  rows.flatMap { $0.map { $0.map(PGValue.text) ?? .null } })
                    start += rows.count
                }
                counts[t.table, default: 0] += t.rows.count
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

    /// At most this many parameters a statement (the protocol's limit is 65,535).
    static let parametersPerStatement = 30_000

    /// `INSERT INTO table (columns) VALUES ($1, …), (…)` for `rows` rows.
    static func insert(into table: String, columns: [String], rows: Int) -> String {
        let n = columns.count
        let values = (0..<rows).map { r in "(" + (1...n).map { "$\(r * n + $0)" }.joined(separator: ", ") + ")" }
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES " + values.joined(separator: ", ")
    }
}
