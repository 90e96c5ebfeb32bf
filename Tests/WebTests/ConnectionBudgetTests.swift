import Testing
import Web

/// The web server's connection limits as a function of the kernel's byte counters and the clock:
/// what counts as the request in progress, and when a connection is given up.
@Suite struct ConnectionBudgetTests {
    let budget = ConnectionBudget(maxRequestBytes: 1_000, maxRequestSeconds: 30, maxIdleSeconds: 75, maxConnections: 3)

    /// Feeds `samples` (received, acked, now) through the budget; the verdict of each.
    func verdicts(_ samples: [(UInt64, UInt64, Double)]) -> [ConnectionBudget.Verdict] {
        var track: ConnectionBudget.Track?
        return samples.map { received, acked, now in
            let (next, verdict) = budget.judge(track, .init(received: received, acked: acked, now: now))
            track = next
            return verdict
        }
    }

    @Test func aHeadWithoutEndIsCutAtTheByteLimit() {
        #expect(verdicts([(400, 0, 0), (900, 0, 1), (1_001, 0, 2)]) == [.keep, .keep, .tooLarge(bytes: 1_000)])
        // Seen for the first time already over the limit, nothing answered: cut at once.
        #expect(verdicts([(5_000, 0, 0)]) == [.tooLarge(bytes: 1_000)])
    }

    @Test func manyAnsweredRequestsOnOneConnectionAreNeverTooLarge() {
        // Keep-alive: 500 bytes of request, answered, again and again: 10 KB received in all.
        var samples: [(UInt64, UInt64, Double)] = []
        for n in 1...20 { samples.append((UInt64(n) * 500, UInt64(n - 1) * 3_000, Double(n) * 2)); samples.append((UInt64(n) * 500, UInt64(n) * 3_000, Double(n) * 2 + 1)) }
        #expect(verdicts(samples).allSatisfy { $0 == .keep })
    }

    @Test func aRequestTricklingInIsCutAfterTheTimeLimit() {
        // A byte every 10 s: never large, but unanswered for over 30 s.
        let samples: [(UInt64, UInt64, Double)] = (0...4).map { (UInt64($0 + 1), 0, Double($0) * 10) }
        #expect(verdicts(samples) == [.keep, .keep, .keep, .keep, .tooSlow(seconds: 30)])
    }

    @Test func aClientThatStopsReadingIsCutAfterTheTimeLimit() {
        // Its request is in, the answer never acknowledged: the request stays in progress.
        #expect(verdicts([(300, 0, 0), (300, 0, 20), (300, 0, 31)]) == [.keep, .keep, .tooSlow(seconds: 30)])
    }

    @Test func anIdleConnectionIsClosedAfterTheIdleLimit() {
        #expect(verdicts([(300, 0, 0), (300, 2_000, 1), (300, 2_000, 60), (300, 2_000, 77)]) == [.keep, .keep, .keep, .idle(seconds: 75)])
        // Activity restarts the idle clock.
        #expect(verdicts([(300, 2_000, 0), (300, 2_000, 70), (600, 2_000, 74), (600, 4_000, 75), (600, 4_000, 140)]) == [.keep, .keep, .keep, .keep, .keep])
    }

    @Test func anAnswerStartsTheNextRequestAfresh() {
        // 900 bytes, answered; then 900 more: each request is under the limit.
        #expect(verdicts([(900, 0, 0), (900, 5_000, 1), (1_800, 5_000, 2)]) == [.keep, .keep, .keep])
        // A connection first seen after answers: what it received then is not held against it.
        #expect(verdicts([(50_000, 90_000, 0), (50_500, 90_000, 1)]) == [.keep, .keep])
    }

    @Test func theStandardLimitsAreGenerousForBrowsers() {
        #expect(ConnectionBudget.standard.maxRequestBytes >= 32 * 1024)
        #expect(ConnectionBudget.standard.maxRequestSeconds > 15, "longer than the server's own 500 for a slow handler")
        #expect(ConnectionBudget.Verdict.keep.reason == nil && ConnectionBudget.Verdict.idle(seconds: 75).reason == "idle for 75 s")
    }

    /// Over the cap, the idle connections go before those with a request in progress, the ones
    /// quiet the longest first; at or under it, none.
    @Test func overTheCapTheLongestIdleGoFirst() {
        func track(received: UInt64, acked: UInt64, at now: Double) -> ConnectionBudget.Track {
            budget.judge(nil, .init(received: received, acked: acked, now: now)).0
        }
        let open: [(key: String, track: ConnectionBudget.Track)] = [
            ("pending-old", track(received: 100, acked: 0, at: 1)),    // a request in progress since 1
            ("idle-new", track(received: 100, acked: 900, at: 9)),     // answered, quiet since 9
            ("idle-old", track(received: 100, acked: 900, at: 2)),     // answered, quiet since 2
            ("pending-new", track(received: 100, acked: 0, at: 8)),
            ("idle-mid", track(received: 100, acked: 900, at: 5)),
        ]
        #expect(budget.surplus(open) == ["idle-old", "idle-mid"])
        #expect(budget.surplus(Array(open.prefix(3))).isEmpty)
        var tight = budget
        tight.maxConnections = 1
        #expect(tight.surplus(open) == ["idle-old", "idle-mid", "idle-new", "pending-old"])
    }
}
