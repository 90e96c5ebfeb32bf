import FeedwatchCore
import Foundation
import Store
import StorePostgres
import StoreSQLite
import StoreTestSupport
import TestSupport
import Testing

/// The shared conformance suite, on the SQLite store (real files), on the in-memory double
/// the poller's and delivery's tests use — the double is only worth its tests if it behaves as
/// the engine does — and on PostgreSQL (a throwaway cluster, a database per check; skipped with
/// the reason where there is no PostgreSQL, never under CI). The fleet's checks (leases, and
/// corrections ordered among placements) run on the engine a fleet shares: PostgreSQL.
@Suite struct StoreConformanceTests {
    static let sqlite = StoreEngine("sqlite", make: {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-conformance-\(UUID().uuidString).sqlite").path
        return try SQLiteStore(path: path)
    }, reopen: { try SQLiteStore(path: ($0 as! SQLiteStore).path) })

    /// A database of its own per store made; `reopen` is a second connection to it.
    static let postgres = StoreEngine("postgresql", make: {
        try PostgresStore(uri: try PostgresCluster.shared.get().createDatabase("conformance"), node: "a")
    }, reopen: { try PostgresStore(uri: ($0 as! PostgresStore).uri, node: "a") },
       otherNode: { try PostgresStore(uri: ($0 as! PostgresStore).uri, node: $1) })

    static let cases: [(engine: StoreEngine, check: String)] = [sqlite, StoreEngine.memory].flatMap { e in
        StoreConformance.checks.map { (e, $0.name) }
    }

    @Test(arguments: cases.map { "\($0.engine): \($0.check)" })
    func conformance(_ name: String) throws {
        let (engine, check) = try #require(Self.cases.first { "\($0.engine): \($0.check)" == name })
        try #require(StoreConformance.checks.first { $0.name == check }).run(engine)
    }

    @Test(.enabled(if: PostgresCluster.skipReason == nil || PostgresCluster.required, Comment(rawValue: PostgresCluster.skipReason ?? "")),
          arguments: (StoreConformance.checks + StoreConformance.fleetChecks).map(\.name))
    func postgresql(_ check: String) throws {
        try #require((StoreConformance.checks + StoreConformance.fleetChecks).first { $0.name == check }).run(Self.postgres)
    }
}
