import FeedwatchCore
public import Store

/// The store a fleet shares: one PostgreSQL database behind every interface of the seam, any
/// number of `feedwatch run` processes ("nodes") on any machines. What a node works on is leased
/// in the database — a due feed (`claimDue`, `FOR UPDATE SKIP LOCKED`), a sink (`claimSink`) —
/// on the server's clock, so a node that dies has its work taken over when its lease runs out.
/// Positions are handed out from one counter (`ledger_clock`) by transactions that hold an
/// advisory lock until they commit, so position order is commit order (see `apply`). One
/// instance per thread, each with its own connection.
public final class PostgresStore: FeedQueue, ItemLedger, AlertOutbox, StoreReadModel, StoreMaintenance {
    let db: PGConnection
    /// This node's name: what its leases are recorded under.
    public let node: String
    /// The lease of this instance's last claim of feeds: `record` renews it for the feeds still
    /// held (the heartbeat that keeps a long cycle's feeds from going to another node).
    var feedLease: Lease?
    /// Sinks this instance claimed, with their lease's length: an acknowledgement renews it.
    var sinkLeases: [String: Int] = [:]
    /// The session of this connection that holds the placement lock (between `holdPlacement`
    /// and `apply`), or nil.
    var placementSession: Int?
    /// Seconds this instance has waited for the placement lock (what serializing costs).
    public internal(set) var placementWaitSeconds = 0.0
    /// The pipeline's writer (`pipelineWriter`), opened on first use and kept: a connection
    /// per cycle would be a connect and a schema check per cycle.
    private var writer: PostgresStore?

    /// Connects (`uri`: a libpq URI or key=value string; the password from PGPASSWORD or
    /// ~/.pgpass, as libpq reads them) and brings the schema up to date. `joinsFleet`: false for
    /// a reader (the web page, `stories`), which claims nothing and must not be counted among
    /// the nodes that share what is due.
    public init(uri: String, node: String, joinsFleet: Bool = true) throws(StoreError) {
        self.uri = uri
        db = try PGConnection(uri: uri)
        self.node = node
        try migrate()
        guard joinsFleet else { return }
        // Counted among the fleet's nodes from now on, so that nodes started together share the
        // first claim of what is due instead of the first to ask taking it all.
        try db.update("""
            INSERT INTO fleet_nodes (node, seen_at) VALUES ($1, \(Self.serverNow))
            ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at
            """, [.text(node)])
    }

    /// What it was opened with (another connection to the same store opens it again).
    public let uri: String

    /// Where it is connected, without a password.
    public var target: String { db.target }

    /// A URI with its password replaced, for messages and logs.
    public static func redacted(_ uri: String) -> String { PGConnection.redacted(uri) }

    /// The schema version this build writes.
    public static var schemaVersion: Int { PGSchema.migrations.count }

    /// Migrations run by one node at a time: each takes the migration lock inside its
    /// transaction and reads the version only then, so nodes that start together wait for the
    /// first and find nothing left to do.
    private func migrate() throws(StoreError) {
        let known = PGSchema.migrations.count
        try db.transaction { () throws(StoreError) in
            try db.execute("SELECT pg_advisory_xact_lock(\(PGSchema.Lock.migrate))")
            try db.execute("""
                CREATE TABLE IF NOT EXISTS feedwatch_schema (one boolean PRIMARY KEY DEFAULT true CHECK (one), version integer NOT NULL)
                """)
            let version = Int(try db.first("SELECT version FROM feedwatch_schema") { $0.int(at: 0) ?? 0 } ?? 0)
            guard version <= known else {
                throw StoreError(.schema, "\(db.target) was written by a newer feedwatch (schema \(version), this one knows \(known))")
            }
            guard version < known else { return }
            for sql in PGSchema.migrations.dropFirst(version) { try db.execute(sql) }
            try db.update("""
                INSERT INTO feedwatch_schema (version) VALUES ($1) ON CONFLICT (one) DO UPDATE SET version = excluded.version
                """, [.int(known)])
        }
    }

    /// A second connection as the same node, for the poller's pipeline: it applies and records
    /// one batch while this connection reads (triage, catch-up) for the next. It carries this
    /// connection's feed lease, so its `record` renews the node's leases as this one's would;
    /// it never holds placement (this connection does, for both). Not counted as a node again.
    /// A node then holds three connections (`run`: this, the writer, delivery's), within
    /// `poll.concurrency` / 8 + 4.
    public func pipelineWriter() throws(StoreError) -> (any FeedQueue & ItemLedger)? {
        if writer == nil { writer = try PostgresStore(uri: uri, node: node, joinsFleet: false) }
        writer?.feedLease = feedLease
        return writer
    }

    /// The server's clock in whole seconds: leases are compared with it, never with a node's.
    static let serverNow = "extract(epoch FROM clock_timestamp())::bigint"

    // MARK: Helpers shared by the extensions

    func write<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try db.transaction(body)
    }

    /// Takes the ledger lock for the rest of the transaction and returns the last position
    /// handed out.
    func lockLedger() throws(StoreError) -> Int64 {
        try db.execute("SELECT pg_advisory_xact_lock(\(PGSchema.Lock.ledger))")
        return try db.first("SELECT last FROM ledger_clock") { $0.int(at: 0) ?? 0 } ?? 0
    }

    func setLedgerClock(_ last: Int64) throws(StoreError) {
        try db.update("UPDATE ledger_clock SET last = $1 WHERE last < $1", [.int(last)])
    }

    /// A Postgres array literal of texts (`{"a","b\"c"}`), sent as one parameter. Built on
    /// bytes: a cold cycle sends every new item's text through here.
    static func textArray(_ values: some Sequence<String>) -> PGValue {
        optionalArray(values.map(Optional.some))
    }

    /// An array literal whose elements may be NULL (unquoted `NULL`; a value is always quoted).
    static func optionalArray(_ values: [String?]) -> PGValue {
        var out: [UInt8] = [0x7B]
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(0x2C) }
            guard let value else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            out.append(0x22)
            for byte in value.utf8 {
                if byte == 0x5C || byte == 0x22 { out.append(0x5C) }  // \ and " are escaped
                out.append(byte)
            }
            out.append(0x22)
        }
        out.append(0x7D)
        return .text(String(decoding: out, as: UTF8.self))
    }

    static func intArray(_ values: some Sequence<Int64>) -> PGValue {
        .text("{" + values.map(String.init).joined(separator: ",") + "}")
    }

    static func time(_ v: Int64?) -> Timestamp? { v.map(Timestamp.init(secondsSince1970:)) }
}
