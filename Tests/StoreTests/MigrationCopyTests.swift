import FeedwatchCore
import Foundation
import Store
import StorePostgres
import StoreSQLite
import StoreTestSupport
import TestSupport
import Testing

/// `migrate-store`'s copy between the two real engines, chunk by chunk: an SQLite file read in
/// chunks smaller than its tables lands in PostgreSQL exactly as it does read whole.
@Suite struct MigrationCopyTests {
    static let t0 = Timestamp(secondsSince1970: 1_780_000_000)

    /// An SQLite store with 3 feeds, 12 items (two copies among them), 2 stories and 10 alerts.
    func populated() throws -> SQLiteStore {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-copy-\(UUID().uuidString).sqlite").path
        let store = try SQLiteStore(path: path)
        let feeds = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b"), ("https://c.example/feed", "c")], now: Self.t0)
        for (f, feed) in feeds.enumerated() {
            let items = (0..<4).map { n in
                // Feed c repeats a's first two stories' links: copies.
                let link = f == 2 && n < 2 ? "https://0.example/\(n)" : "https://\(f).example/\(n)"
                let title = f == 2 && n < 2 ? "Item 0 \(n)" : "Item \(f) \(n)"
                return ItemCandidate(FeedItem(id: "\(f)-\(n)", title: title, link: link, summary: "About \(n)."), site: "\(f).example")
            }
            let links = Dictionary(uniqueKeysWithValues: items.compactMap { c -> (String, StoryLink)? in
                guard let id = c.item.id else { return nil }
                let story = id.hasSuffix("0") ? "st_zero" : "st_rest"
                return (id, StoryLink(id: story, at: Timestamp(secondsSince1970: Self.t0.secondsSince1970 + Int64(f * 60)), title: id, topics: ["t"],
                                      isNew: f == 0 && (id == "0-0" || id == "0-1")))
            })
            try ingest(store, feedID: feed.id, items, now: Timestamp(secondsSince1970: Self.t0.secondsSince1970 + Int64(f * 60)), stories: links,
                       alert: { testAlert($0.id ?? "?", at: Self.t0, story: nil) })
        }
        return store
    }

    @Test(.enabled(if: PostgresCluster.skipReason == nil || PostgresCluster.required, Comment(rawValue: PostgresCluster.skipReason ?? "")))
    func aStoreCopiedInSmallChunksIsTheStoreCopiedWhole() throws {
        let source = try populated()
        var chunks: [String: Int] = [:]
        let small = try PostgresStore(uri: try PostgresCluster.shared.get().createDatabase("copy"), node: "migrate-store")
        let smallCounts = try small.importTables { (insert) throws(StoreError) -> Int64 in
            try source.exportTables(rowsPerChunk: 3) { (t: TableRows) throws(StoreError) in
                #expect(t.rows.count <= 3)
                chunks[t.table, default: 0] += 1
                try insert(t)
            }
        }
        let whole = try PostgresStore(uri: try PostgresCluster.shared.get().createDatabase("copy"), node: "migrate-store")
        let wholeCounts = try whole.importTables { (insert) throws(StoreError) -> Int64 in try source.exportTables(insert) }

        #expect(smallCounts == wholeCounts)
        #expect(smallCounts["feeds"] == 3 && smallCounts["items"] == 12 && smallCounts["alerts"] == 10 && smallCounts["stories"] == 2, "\(smallCounts)")
        #expect((chunks["items"] ?? 0) == 4 && (chunks["dead_letters"] ?? 0) == 1, "an empty table is still handed over once: \(chunks)")
        let expected = try source.stories(since: Timestamp(secondsSince1970: 0), limit: 10)
        #expect(expected.count == 2 && expected.allSatisfy { !$0.items.isEmpty })
        #expect(expected.flatMap(\.items).flatMap(\.duplicates).count == 2, "the copies are there to be copied")
        #expect(try small.stories(since: Timestamp(secondsSince1970: 0), limit: 10) == expected)
        #expect(try whole.stories(since: Timestamp(secondsSince1970: 0), limit: 10) == expected)
        #expect(try small.alerts(after: 0, limit: 100) == source.alerts(after: 0, limit: 100))
        // A second copy into a store that holds one is refused before anything is read.
        var read = false
        #expect(throws: StoreError.self) {
            _ = try small.importTables { (insert) throws(StoreError) -> Int64 in read = true; return try source.exportTables(insert) }
        }
        #expect(!read)
    }
}
