internal import CPostgresLoader
internal import Glibc
internal import Store

extension StoreError {
    /// A server's SQLSTATE as the engine-free kind callers see.
    init(sqlstate: String?, _ message: String) {
        let kind: Kind = switch sqlstate {
        case let s? where s.hasPrefix("23"): .conflict           // integrity: unique, foreign key, check
        case "40001", "40P01", "55P03", "57014": .busy           // serialization, deadlock, lock not available, timeout
        case let s? where s.hasPrefix("08") || s.hasPrefix("57P") || s.hasPrefix("28"): .unavailable  // connection, shutdown, auth
        case "42P01", "42703": .schema                           // no such table or column
        case nil: .unavailable                                   // no result at all: the connection is gone
        default: .other
        }
        self.init(kind, message)
    }
}

/// A parameter as sent: text, or SQL NULL. Integers and booleans are sent as their text, which
/// the server parses against the statement's parameter types.
enum PGValue {
    case null
    case text(String)

    static func int(_ v: Int64) -> PGValue { .text(String(v)) }
    static func int(_ v: Int) -> PGValue { .text(String(v)) }
    static func bool(_ v: Bool) -> PGValue { .text(v ? "t" : "f") }
    static func optional(_ s: String?) -> PGValue { s.map(PGValue.text) ?? .null }
    static func optional(_ v: Int64?) -> PGValue { v.map { .text(String($0)) } ?? .null }
}

/// Rows of a result, read into Swift values at once (the result is freed before returning), by
/// column position.
struct PGRow {
    fileprivate var values: [String?]

    func text(at i: Int) -> String? { values[i] }
    func int(at i: Int) -> Int64? { values[i].flatMap { Int64($0) } }
    func bool(at i: Int) -> Bool { values[i] == "t" }
}

/// One connection to a PostgreSQL server through libpq (loaded on first use). Statements are
/// prepared on first use and kept by their text, as the SQLite connection does: the poller runs
/// the same few thousands of times a cycle. Not shared between threads: the daemon's poller and
/// its delivery thread each open their own.
///
/// A connection the server dropped (a restart, a PANIC on a full disk, a network cut) is opened
/// again by the next command: the command that met the break fails — its transaction is gone
/// with the session — and the daemon's next cycle or delivery round goes on, with no restart of
/// its own. What a session held (statements, advisory locks) is gone with it: `session` tells.
final class PGConnection {
    private var conn: OpaquePointer
    private let uri: String
    /// Where it is connected, without the password (for messages).
    let target: String
    private var prepared: [String: String] = [:]
    /// Counts the sessions this connection has had: a lock taken in an earlier one is not held.
    private(set) var session = 0

    init(uri: String) throws(StoreError) {
        self.uri = uri
        target = PGConnection.redacted(uri)
        if let failure = fw_pq_load() { throw StoreError(.unavailable, String(cString: failure)) }
        conn = try Self.open(uri, target: target)
        try configureSession()
    }

    private static func open(_ uri: String, target: String) throws(StoreError) -> OpaquePointer {
        guard let c = fw_pq_connectdb(uri) else { throw StoreError(.unavailable, "\(target): out of memory") }
        guard fw_pq_status(c) == FW_PQ_CONNECTION_OK else {
            let message = String(cString: fw_pq_error_message(c)).trimmingWhitespace
            fw_pq_finish(c)
            throw StoreError(.unavailable, "cannot connect to \(target): \(message)")
        }
        fw_pq_silence_notices(c)
        return c
    }

    /// A new session in place of one the server dropped (libpq marks it bad once a command
    /// found it gone). Throws while the server is still unreachable: the caller's next try does
    /// the same.
    private func reconnectIfBroken() throws(StoreError) {
        guard fw_pq_status(conn) != FW_PQ_CONNECTION_OK else { return }
        let fresh = try Self.open(uri, target: target)
        fw_pq_finish(conn)
        conn = fresh
        prepared = [:]
        session += 1
        try configureSession()
    }

    private func configureSession() throws(StoreError) {
        // Statements stay prepared (parsed once), but are planned for their values each time.
        // A cold cycle grows `items` from empty to 200,000 rows in one session, and the plan
        // PostgreSQL caches after five executions is made for the table as it was then — a
        // sequential scan that stays cached while the table grows (triage at 40,000 rows:
        // 20 ms a call instead of 0.06 ms). Every hot statement now runs once per batch, so
        // planning each execution costs little.
        _ = try consume(fw_pq_exec(conn, "SET plan_cache_mode = force_custom_plan"), "SET plan_cache_mode")
    }

    deinit { fw_pq_finish(conn) }

    /// The server process serving this connection (for tests that cut it).
    var backendPID: Int32 { fw_pq_backend_pid(conn) }

    /// Runs one or more statements without parameters (schema, transaction control).
    func execute(_ sql: String) throws(StoreError) {
        try reconnectIfBroken()
        _ = try consume(fw_pq_exec(conn, sql), sql)
    }

    /// Runs a statement, prepared on its first use, and returns its rows.
    @discardableResult
    func query(_ sql: String, _ values: [PGValue] = []) throws(StoreError) -> [PGRow] {
        try run(sql, values).rows
    }

    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    func update(_ sql: String, _ values: [PGValue] = []) throws(StoreError) -> Int {
        try run(sql, values).changed
    }

    func first<T>(_ sql: String, _ values: [PGValue] = [], _ read: (PGRow) -> T) throws(StoreError) -> T? {
        try query(sql, values).first.map(read)
    }

    private func run(_ sql: String, _ values: [PGValue]) throws(StoreError) -> (rows: [PGRow], changed: Int) {
        try reconnectIfBroken()
        let name: String
        if let known = prepared[sql] {
            name = known
        } else {
            name = "fw\(prepared.count + 1)"
            _ = try consume(fw_pq_prepare(conn, name, sql, Int32(values.count)), sql)
            prepared[sql] = name
        }
        // The C strings live until the call returns.
        var owned: [UnsafeMutablePointer<CChar>?] = values.map {
            if case .text(let s) = $0 { strdup(s) } else { nil }
        }
        defer { for p in owned { free(p) } }
        let result = owned.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(buffer.count, 1)) {
                fw_pq_exec_prepared(conn, name, Int32(values.count), values.isEmpty ? nil : $0)
            }
        }
        return try consume(result, sql)
    }

    /// Reads a result into rows and frees it; a failed command throws with the server's message
    /// and the kind its SQLSTATE names.
    private func consume(_ result: OpaquePointer?, _ sql: String) throws(StoreError) -> (rows: [PGRow], changed: Int) {
        guard let result else {
            throw StoreError(sqlstate: nil, "\(target): \(String(cString: fw_pq_error_message(conn)).trimmingWhitespace)")
        }
        defer { fw_pq_clear(result) }
        let status = fw_pq_result_status(result)
        guard status == FW_PQ_COMMAND_OK || status == FW_PQ_TUPLES_OK else {
            let state = fw_pq_result_error_field(result, Int32(FW_PQ_DIAG_SQLSTATE)).map { String(cString: $0) }
            let message = String(cString: fw_pq_result_error_message(result)).trimmingWhitespace
            throw StoreError(sqlstate: state, "\(target): \(message) (in: \(sql.prefix(80))…)")
        }
        let changed = Int(String(cString: fw_pq_cmd_tuples(result))) ?? 0
        let n = Int(fw_pq_ntuples(result)), columns = Int(fw_pq_nfields(result))
        var rows: [PGRow] = []
        rows.reserveCapacity(n)
        for r in 0..<Int32(n) {
            var values: [String?] = []
            values.reserveCapacity(columns)
            for c in 0..<Int32(columns) {
                values.append(fw_pq_getisnull(result, r, c) == 1 ? nil : String(cString: fw_pq_getvalue(result, r, c)))
            }
            rows.append(PGRow(values: values))
        }
        return (rows, changed)
    }

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")  // a broken connection rolls back by itself; the body's error is the one to report
            throw error
        }
    }

    /// A URI or key=value string with its password replaced, for messages and logs.
    static func redacted(_ uri: String) -> String {
        let chars = Array(uri)
        // scheme://user:password@host… → scheme://user:***@host…
        guard let scheme = (0..<max(chars.count - 2, 0)).first(where: { chars[$0] == ":" && chars[$0 + 1] == "/" && chars[$0 + 2] == "/" }) else {
            return uri
        }
        let start = scheme + 3
        guard let at = chars[start...].firstIndex(of: "@"), let colon = chars[start..<at].firstIndex(of: ":") else { return uri }
        return String(chars[..<(colon + 1)]) + "***" + String(chars[at...])
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
