internal import CSQLite
import Glibc
internal import FeedwatchCore
internal import Store

extension StoreError {
    /// SQLite's result code as the engine-free kind callers see.
    init(sqlite rc: Int32, _ message: String) {
        let kind: Kind = switch rc & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: .busy
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY: .unavailable
        case SQLITE_NOTADB: .schema
        case SQLITE_CONSTRAINT: .conflict
        default: .other
        }
        self.init(kind, message)
    }
}

/// A value bound to or read from a statement.
enum SQLValue: Equatable {
    case null
    case integer(Int64)
    case text(String)
}

/// One SQLite connection. Thin on purpose: statements are written out where they are used, so
/// what runs against the database is plain to read, and the PostgreSQL store can mirror it.
/// Not shared between threads (SQLite's multi-thread mode: one connection per thread).
final class SQLiteConnection {
    private var db: OpaquePointer?
    let path: String
    /// Prepared statements by SQL text: the poller runs the same few thousands of times.
    private var cache: [String: Statement] = [:]

    init(path: String) throws(StoreError) {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            db = nil
            throw StoreError(sqlite: rc, "cannot open \(path): \(message)")
        }
        sqlite3_extended_result_codes(db, 1)
        // Wait for another process's write (a `status` next to a running daemon) instead of failing.
        sqlite3_busy_timeout(db, 5_000)
        // Statement and savepoint journals in memory: each stored document is a savepoint, and the
        // dedupe indexes (keyed by hashes) put its items on pages all over them, whose original
        // images SQLite otherwise writes to a temporary file first — 380,000 writes in a cold cycle
        // of 10,000 feeds.
        // A 32 MB page cache holds what a poll cycle's commit dirties (2,048 feeds' items and the
        // dedupe index pages they land on) without spilling it to the WAL mid-transaction: with
        // SQLite's 2 MB default a cold cycle of 10,000 feeds took about a quarter longer.
        // Turning a new file to WAL takes an exclusive lock, for which SQLite does not wait: two
        // processes opening a new store at once retry here (within the same 5 s) instead of failing.
        let deadline = Monotonic.seconds() + 5
        while true {
            do {
                try execute("PRAGMA journal_mode = WAL")
                break
            } catch where error.kind == .busy && Monotonic.seconds() < deadline {
                var pause = timespec(tv_sec: 0, tv_nsec: 20_000_000)
                nanosleep(&pause, nil)
            }
        }
        try execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768;")
    }

    deinit {
        byAddress.removeAll()
        cache.removeAll()  // statements first: a connection with live statements does not close
        sqlite3_close_v2(db)
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            throw StoreError(sqlite: rc, "\(path): \(text)\(systemError(rc))")
        }
    }

    /// The statements last used, by the address of their SQL text. The SQL is nearly always a
    /// literal, whose bytes never move, so the address finds it without hashing the whole text
    /// (which cost more than running a small statement); the text is still compared, so a
    /// string that merely reuses an address is never mistaken for another.
    private var byAddress: [UnsafeRawPointer: Statement] = [:]

    /// A prepared statement for `sql`, reset and with its bindings cleared.
    func statement(_ sql: String) throws(StoreError) -> Statement {
        let address = sql.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
        if let address, let cached = byAddress[address], cached.sql == sql {
            cached.reset()
            return cached
        }
        if let cached = cache[sql] {
            if let address, byAddress.count < 256 { byAddress[address] = cached }
            cached.reset()
            return cached
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, sql) }
        let statement = Statement(stmt, connection: self, sql: sql)
        cache[sql] = statement
        if let address, byAddress.count < 256 { byAddress[address] = statement }
        return statement
    }

    /// Runs `sql` with `values` and hands over its first row in place, or `nil` when there is
    /// none (lookups on a hot path: no dictionary per row).
    func first<T>(_ sql: String, _ values: [SQLValue], _ read: (Statement) -> T) throws(StoreError) -> T? {
        let s = try statement(sql)
        try s.bind(values)
        // Reset at once: a statement left on a row keeps its read transaction (and its snapshot)
        // open, and this connection's next write would fail with SQLITE_BUSY_SNAPSHOT.
        defer { s.reset() }
        return try s.step() ? read(s) : nil
    }

    /// Runs `sql` with `values` and returns every row.
    func query(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> [Row] {
        let s = try statement(sql)
        try s.bind(values)
        var rows: [Row] = []
        while try s.step() { rows.append(s.row()) }
        return rows
    }

    /// Runs `sql` with `values` and hands over each row in place, without keeping any: for reads
    /// too big to hold (`migrate-store` copies a whole store).
    func each(_ sql: String, _ values: [SQLValue] = [], _ read: (Statement) throws(StoreError) -> Void) throws(StoreError) {
        let s = try statement(sql)
        try s.bind(values)
        defer { s.reset() }
        while try s.step() { try read(s) }
    }

    /// Runs `sql` with `values`, ignoring any rows; returns how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int {
        let s = try statement(sql)
        try s.bind(values)
        while try s.step() {}
        return Int(sqlite3_changes(db))
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(db) }

    /// Runs `body`'s reads in one read transaction: one snapshot, and one WAL read lock for all of
    /// them instead of one per statement (a triage looks up every item of a document).
    func read<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        guard sqlite3_get_autocommit(db) != 0 else { return try body() }
        try run("BEGIN")
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in one write transaction (taken at once, so two writers queue rather than
    /// fail halfway); rolls back if it throws. Inside another transaction it is a savepoint, so
    /// a caller can group many small writes into one commit.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let nested = sqlite3_get_autocommit(db) == 0
        // Prepared once and reused (`run`), not re-parsed by sqlite3_exec: a cycle opens a
        // savepoint per fetched document.
        try run(nested ? "SAVEPOINT nested" : "BEGIN IMMEDIATE")
        do {
            let result = try body()
            try run(nested ? "RELEASE nested" : "COMMIT")
            return result
        } catch {
            if nested {
                try? execute("ROLLBACK TO nested")
                try? execute("RELEASE nested")
            } else {
                try? execute("ROLLBACK")
            }
            throw error
        }
    }

    fileprivate func error(_ rc: Int32, _ sql: String) -> StoreError {
        let message = String(cString: sqlite3_errmsg(db))
        return StoreError(sqlite: rc, "\(path): \(message)\(systemError(rc)) (in: \(sql.prefix(80)))")
    }

    /// The operating system's reason behind an I/O failure, which SQLite's own words leave out:
    /// on a full disk opening a store says "disk I/O error" (creating its shared-memory index
    /// failed) and a write "database or disk is full" — ` (No space left on device)` says which.
    /// SQLite clears the errno behind `SQLITE_FULL`, which (no page limit being set) only a full
    /// filesystem or quota gives: that is ENOSPC.
    private func systemError(_ rc: Int32) -> String {
        let code: Int32
        switch rc & 0xFF {
        case SQLITE_FULL: code = ENOSPC
        case SQLITE_IOERR, SQLITE_CANTOPEN: code = sqlite3_system_errno(db)
        default: code = 0
        }
        return code == 0 ? "" : " (\(String(cString: strerror(code))))"
    }
}

/// One row, by column name, as SQLite returned it. The name-to-position map is the statement's,
/// shared by all its rows: a row costs one array, not a dictionary of its own.
struct Row {
    fileprivate var values: [SQLValue]
    fileprivate var columns: [String: Int]

    func int(_ column: String) -> Int64? {
        columns[column].flatMap(int(at:))
    }

    func text(_ column: String) -> String? {
        columns[column].flatMap(text(at:))
    }

    /// By position in the statement's column list: for rows read by the thousand.
    func int(at i: Int) -> Int64? {
        if case .integer(let v) = values[i] { return v }
        return nil
    }

    func text(at i: Int) -> String? {
        if case .text(let v) = values[i] { return v }
        return nil
    }
}

final class Statement {
    private let stmt: OpaquePointer
    private unowned let connection: SQLiteConnection
    let sql: String

    fileprivate init(_ stmt: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.stmt = stmt
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(stmt) }

    fileprivate func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    func bind(_ values: [SQLValue]) throws(StoreError) {
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(stmt, index)
            case .integer(let v): rc = sqlite3_bind_int64(stmt, index, v)
            case .text(let s):
                var s = s
                rc = s.withUTF8 { p in
                    p.withMemoryRebound(to: CChar.self) { chars in
                        guard let base = chars.baseAddress else { return fw_sqlite3_bind_text(stmt, index, "", 0) }
                        return fw_sqlite3_bind_text(stmt, index, base, Int32(chars.count))
                    }
                }
            }
            guard rc == SQLITE_OK else { throw connection.error(rc, sql) }
        }
    }

    /// Advances to the next row: true if there is one.
    func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw connection.error(rc, sql)
    }

    /// Column `i` of the current row, read in place (for hot paths that know their columns).
    func int(at i: Int32) -> Int64? {
        sqlite3_column_type(stmt, i) == SQLITE_NULL ? nil : sqlite3_column_int64(stmt, i)
    }

    func string(at i: Int32) -> String? {
        guard let bytes = sqlite3_column_text(stmt, i) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(stmt, i))), as: UTF8.self)
    }

    /// Whether column `i` of the current row is the text `s`, compared without building a string.
    func text(at i: Int32, equals s: String) -> Bool {
        guard let bytes = sqlite3_column_text(stmt, i) else { return false }
        let count = Int(sqlite3_column_bytes(stmt, i))
        var s = s
        return s.withUTF8 { $0.count == count && (count == 0 || memcmp($0.baseAddress!, bytes, count) == 0) }
    }

    /// Column positions by name, read once per statement.
    private lazy var columns: [String: Int] = {
        var map: [String: Int] = [:]
        for i in 0..<sqlite3_column_count(stmt) { map[String(cString: sqlite3_column_name(stmt, i))] = Int(i) }
        return map
    }()

    func row() -> Row {
        let count = sqlite3_column_count(stmt)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        for i in 0..<count {
            switch sqlite3_column_type(stmt, i) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(stmt, i)))
            case SQLITE_NULL: values.append(.null)
            default:
                let bytes = sqlite3_column_text(stmt, i)
                let n = Int(sqlite3_column_bytes(stmt, i))
                values.append(.text(bytes.map { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) } ?? ""))
            }
        }
        return Row(values: values, columns: columns)
    }
}
