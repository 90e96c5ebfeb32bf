import FeedwatchCore
import Foundation
import Store
import StoreTestSupport
import Testing

/// Leases running out mid-work, on an engine a fleet shares: the lease is on the server's clock,
/// so these checks wait for it (a lease of 1 s, then 2.5 s).
extension StoreConformance {
    private static let expiry = 2.5

    /// Node a claimed a feed and stalled past its lease; node b took it over. Whatever a then
    /// records for it — a failure with its health alert — is refused and stores nothing; b's
    /// outcome is the one that counts.
    static func feedLeaseLost(_ e: StoreEngine) throws {
        let a = try e.make()
        let b = try #require(try e.otherNode?(a, "b"))
        let id = try #require(try a.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        #expect(try a.claimDue(at: t0, limit: 10, lease: Lease(node: "a", seconds: 1)).map(\.id) == [id])
        #expect(try b.claimDue(at: t0, limit: 10, lease: Lease(node: "b", seconds: 60)).isEmpty, "a's lease is live")
        Thread.sleep(forTimeInterval: expiry)
        #expect(try b.claimDue(at: t0, limit: 10, lease: Lease(node: "b", seconds: 60)).map(\.id) == [id], "expired: b takes it over")
        #expect(try a.feedHolders() == [id: "b"])

        let health = Alert(id: "hl_lost", emittedAt: t0, feed: Alert.Feed(url: "https://a.example/feed", title: nil),
                           health: Alert.Health(event: .failing, errorsInRow: 1, error: "HTTP 503"))
        #expect {
            try a.record([outcome(id, FetchOutcome(at: at(5), status: 503, error: "HTTP 503", nextDueAt: at(9_999)), block: ("a.example", at(9_999)),
                                  alerts: [health])])
        } throws: { ($0 as? StoreError)?.kind == .conflict }
        var feed = try #require(try b.allFeeds().first)
        #expect(feed.lastStatus == nil && feed.errorsInRow == 0 && feed.nextDueAt == t0, "the refused outcome left nothing")
        #expect(try b.alerts(after: 0, limit: 10).isEmpty && b.blockedHosts(at: at(6)).isEmpty)

        try b.record([outcome(id, FetchOutcome(at: at(6), status: 200, nextDueAt: at(300)))])
        feed = try #require(try a.allFeeds().first)
        #expect(feed.lastStatus == 200 && feed.nextDueAt == at(300))
        #expect(try a.feedHolders().isEmpty)
    }

    /// Node a claimed a sink, delivered and acknowledged the first of three alerts, then stalled
    /// past its lease. Node b claims the sink and delivers from the cursor — the rest, none
    /// skipped, the same ids — and a's late acknowledgement of the whole batch is refused.
    static func sinkLeaseLost(_ e: StoreEngine) throws {
        let a = try e.make()
        let b = try #require(try e.otherNode?(a, "b"))
        let id = try #require(try a.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        _ = try a.registerSinks(["hook"])
        let start = try #require(try a.sinkState(sink: "hook")).cursor
        try ingest(a, feedID: id, ["1", "2", "3"].map { (n: String) in ItemCandidate(FeedItem(id: n, title: "Item " + n)) }, now: t0) { testAlert("fw_\($0.id!)") }

        #expect(try a.claimSink("hook", lease: Lease(node: "a", seconds: 1)))
        #expect(try !b.claimSink("hook", lease: Lease(node: "b", seconds: 60)), "a delivers it")
        let batch = try a.alerts(after: start, limit: 10)
        #expect(batch.map(\.id) == ["fw_1", "fw_2", "fw_3"])
        try a.acknowledge(sink: "hook", through: batch[0].position, storySizes: [:])
        Thread.sleep(forTimeInterval: expiry)

        #expect(try b.claimSink("hook", lease: Lease(node: "b", seconds: 60)), "expired: b takes the sink over")
        let cursor = try #require(try b.sinkState(sink: "hook")).cursor
        #expect(cursor == batch[0].position)
        let resumed = try b.alerts(after: cursor, limit: 10)
        #expect(resumed.map(\.id) == ["fw_2", "fw_3"] && resumed.map(\.position) == batch.dropFirst().map(\.position))

        #expect { try a.acknowledge(sink: "hook", through: batch[2].position, storySizes: [:]) } throws: { ($0 as? StoreError)?.kind == .conflict }
        #expect(try b.sinkState(sink: "hook")?.cursor == batch[0].position, "the refused acknowledgement moved nothing")
        try b.acknowledge(sink: "hook", through: resumed[1].position, storySizes: [:])
        #expect(try a.sinkState(sink: "hook")?.cursor == batch[2].position)
        try b.releaseSink("hook", lease: Lease(node: "b", seconds: 60))
        #expect(try a.claimSink("hook", lease: Lease(node: "a", seconds: 60)), "released: node a may deliver it again")
    }
}
