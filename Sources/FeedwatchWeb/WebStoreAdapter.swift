import AlertDelivery
import CSQLite
import Config
import FeedwatchCore
import Glibc
import Store
import StorePostgres
import StoreSQLite
import Synchronization
import Web

/// The web layer's data source over the store the config names — the SQLite file, or a fleet's
/// PostgreSQL database (a fleet's dashboard) — `WebDataSource`'s plain records read through the
/// seam (`StoreReadModel` and the outbox report), plus a few counts for `/metrics` that each
/// engine reads its own way. It holds its own connection, apart from the poller's, and
/// serializes the server threads on it. A failed read drops the connection, so the next
/// request opens the store afresh (`/healthz` answers 200 again once the store does).
///
/// This is the one file that knows both sides; a new store (or read models) replaces only it.
final class WebStoreAdapter: WebDataSource, @unchecked Sendable {
    /// Guards `store` and `sinks` (unchecked: the compiler cannot see that every use of them is
    /// inside `lock.withLock`, which `withOpened` is the only way in to).
    private let lock = Mutex(())
    private var store: Opened?
    /// The configured sinks, for the outbox report (constructing one opens nothing).
    private let sinks: [AlertSink]
    private let path: String
    /// The PostgreSQL store's URI, when the config names one.
    private let uri: String?
    private let names: [String: String]
    private let storyWindow: Int

    init(config: Config) {
        path = storePath(config)
        uri = config.postgresURI
        names = config.feedNames
        storyWindow = config.stories.window
        sinks = Delivery.sinks(for: config, environment: { _ in nil })
    }

    /// A store opened, by engine (the figures for `/metrics` are read each its own way).
    private enum Opened {
        case sqlite(SQLiteStore)
        /// Opened as a reader: the page is no node of the fleet and claims nothing.
        case postgres(PostgresStore)

        var reads: DeliveryStore {
            switch self {
            case .sqlite(let s): s
            case .postgres(let p): p
            }
        }
    }

    /// Runs `body` on the store, opening it first if need be; a failure forgets the connection.
    private func withOpened<T>(_ body: (Opened, [AlertSink]) throws -> T) throws -> T {
        try lock.withLock { _ in
            do {
                let open = try store ?? (uri.map { .postgres(try PostgresStore(uri: $0, node: "feedwatch-web", joinsFleet: false)) }
                    ?? .sqlite(try SQLiteStore(path: path)))
                store = open
                return try body(open, sinks)
            } catch {
                store = nil
                throw error
            }
        }
    }

    private func withStore<T>(_ body: (DeliveryStore, [AlertSink]) throws -> T) throws -> T {
        try withOpened { open, sinks in try body(open.reads, sinks) }
    }

    func stories(since: Timestamp, limit: Int) throws -> [WebStory] {
        try withStore { store, _ in try store.stories(since: since, limit: limit).map { WebStory($0, names: names) } }
    }

    func story(id: String) throws -> WebStory? {
        try withStore { store, _ in try store.story(id: id).map { WebStory($0, names: names) } }
    }

    func feeds() throws -> [WebFeed] {
        try withStore { store, _ in
            try store.allFeeds().map { (f: FeedRecord) -> WebFeed in
                let health: WebFeed.Health = f.gone ? .gone : f.lastFetchAt == nil ? .neverPolled : f.errorsInRow > 0 ? .failing : .ok
                return WebFeed(url: f.url, name: names[f.url], lastFetch: f.lastFetchAt, status: f.lastStatus, error: f.lastError,
                               errorsInRow: f.errorsInRow, nextPoll: f.gone ? nil : f.nextDueAt, itemsSeen: f.itemsSeen,
                               lastNew: f.lastNewAt, health: health)
            }
        }
    }

    func outbox() throws -> [WebSink] {
        try withStore { store, sinks in
            try Delivery.report(store, sinks: sinks).map { r in
                WebSink(name: r.sink, pending: r.pending, dead: r.dead.filter { !$0.requeued }.count, attempts: r.state?.attempts ?? 0,
                        lastError: r.state?.lastError, nextAttempt: r.state?.nextAttemptAt)
            }
        }
    }

    func figures(now: Timestamp) throws -> StoreFigures {
        var byHealth: [WebFeed.Health: Int] = [:]
        for f in try feeds() { byHealth[f.health, default: 0] += 1 }
        let openSince = now.secondsSince1970 - Int64(storyWindow)
        if uri != nil {
            return try withOpened { open, _ in
                guard case .postgres(let p) = open else { throw ReadError(description: "not a PostgreSQL store") }
                let f = try p.figures(storiesSeenSince: Timestamp(secondsSince1970: openSince))
                return StoreFigures(feeds: byHealth, items: f.items, alerts: f.alerts, storiesOpen: f.storiesOpen, sizeBytes: f.sizeBytes)
            }
        }
        let counts = try Self.counts(path: path, queries: [
            "SELECT count(*) FROM items", "SELECT count(*) FROM alerts", "SELECT count(*) FROM stories WHERE last_seen >= \(openSince)",
        ])
        var size = 0
        for file in [path, path + "-wal"] {
            var st = stat()
            if stat(file, &st) == 0 { size += Int(st.st_size) }
        }
        return StoreFigures(feeds: byHealth, items: counts[0], alerts: counts[1], storiesOpen: counts[2], sizeBytes: size)
    }

    /// The SQLite file is opened afresh each time, read-only: a store replaced or damaged under a
    /// running server is noticed at once, not after the cached connection's pages run out. A
    /// PostgreSQL store answers on the held connection; one that broke is dropped and opened
    /// again by the next request.
    func ping() throws {
        if uri != nil {
            _ = try withStore { store, _ in try store.feedCounts() }
            return
        }
        _ = try Self.counts(path: path, queries: ["SELECT count(*) FROM feeds"])
    }


    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    /// Each query's single integer, on a read-only connection opened for the purpose.
    private static func counts(path: String, queries: [String]) throws -> [Int] {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw ReadError(description: "cannot open \(path): \(message)")
        }
        defer { sqlite3_close_v2(db) }
        sqlite3_busy_timeout(db, 2_000)
        return try queries.map { sql in
            var statement: OpaquePointer?
            defer { sqlite3_finalize(statement) }
            guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, sqlite3_step(statement) == SQLITE_ROW else {
                throw ReadError(description: "\(path): \(String(cString: sqlite3_errmsg(db)))")
            }
            return Int(sqlite3_column_int64(statement, 0))
        }
    }
}
