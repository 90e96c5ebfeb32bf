import FeedwatchCore
import Foundation
import Store
import StoreSQLite
import StoreTestSupport
import Testing

/// The shared conformance suite, on the SQLite store (real files) and on the in-memory double
/// the poller's and delivery's tests use: the double is only worth its tests if it behaves as
/// the engine does.
@Suite struct StoreConformanceTests {
    static let sqlite = StoreEngine("sqlite", make: {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-conformance-\(UUID().uuidString).sqlite").path
        return try SQLiteStore(path: path)
    }, reopen: { try SQLiteStore(path: ($0 as! SQLiteStore).path) })

    static let cases: [(engine: StoreEngine, check: String)] = [sqlite, StoreEngine.memory].flatMap { e in
        StoreConformance.checks.map { (e, $0.name) }
    }

    @Test(arguments: cases.map { "\($0.engine): \($0.check)" })
    func conformance(_ name: String) throws {
        let (engine, check) = try #require(Self.cases.first { "\($0.engine): \($0.check)" == name })
        try #require(StoreConformance.checks.first { $0.name == check }).run(engine)
    }
}
