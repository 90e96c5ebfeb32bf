import FeedwatchCore
import Scheduler
import Store
import Testing

/// The fetch decider, without a store or a network: a poll's result in, what to record out.
@Suite struct FetchDecisionTests {
    let t0 = Timestamp(secondsSince1970: 1_800_000_000)
    let policy = FetchPolicy(schedule: PollSchedule(interval: 900, maxInterval: 86_400), failingAfter: 3, silentAfter: 3, name: "Local")

    /// `gaps`: how many gaps between new items `gap` rests on (a rhythm needs three).
    func feed(errors: Int = 0, gap: Int? = nil, lastNew: Int64? = nil, silent: Bool = false, gaps: Int = 3) -> FeedRecord {
        FeedRecord(id: 7, url: "https://a.example/feed", currentURL: "https://a.example/feed", etag: "\"e\"", errorsInRow: errors,
                   nextDueAt: t0, fetchedOnce: true, publishGap: gap, lastNewAt: lastNew.map { Timestamp(secondsSince1970: t0.secondsSince1970 + $0) },
                   silentAlerted: silent, gapsSeen: gaps)
    }

    func decide(_ f: FeedRecord, _ r: FetchResult, _ p: FetchPolicy? = nil) -> FetchDecision.Decision {
        FetchDecision.decide(f, r, policy: p ?? policy, now: t0, random: { 0.5 })
    }

    @Test func aDocumentSchedulesTheNextPollAndKeepsItsValidators() {
        let d = decide(feed(), .document(status: 200, freshFor: nil, etag: "\"v2\"", lastModified: "x", movedTo: "https://a.example/new", newItems: 2, title: "T"))
        #expect(d.failure == nil && d.outcome.alerts.isEmpty && d.outcome.feedID == 7)
        #expect(d.outcome.fetch.etag == "\"v2\"" && d.outcome.fetch.movedTo == "https://a.example/new" && d.outcome.fetch.error == nil)
        #expect(d.outcome.fetch.nextDueAt == Timestamp(secondsSince1970: t0.secondsSince1970 + 900))
        // Freshness only lengthens the interval.
        let fresh = decide(feed(), .notModified(status: 304, freshFor: 3_600))
        #expect(fresh.outcome.fetch.nextDueAt == Timestamp(secondsSince1970: t0.secondsSince1970 + 3_600) && fresh.outcome.fetch.status == 304)
    }

    @Test func failuresBackOffAndRaiseOneFailingAlert() {
        let second = decide(feed(errors: 1), .failed(status: 500, message: "HTTP 500"))
        #expect(second.failure == "HTTP 500" && second.outcome.alerts.isEmpty)
        #expect(second.outcome.fetch.nextDueAt.secondsSince1970 > t0.secondsSince1970 + 900)
        let third = decide(feed(errors: 2), .failed(status: nil, message: "connection refused"))
        #expect(third.outcome.alerts.map { $0.health?.event } == [.failing])
        #expect(third.outcome.alerts.first?.health?.errorsInRow == 3 && third.outcome.alerts.first?.feed.title == "Local")
        #expect(decide(feed(errors: 3), .failed(status: 500, message: "HTTP 500")).outcome.alerts.isEmpty)  // once
        let back = decide(feed(errors: 4), .notModified(status: 304, freshFor: nil))
        #expect(back.outcome.alerts.map { $0.health?.event } == [.recovered])
    }

    @Test func goneAndRetryAfter() {
        let gone = decide(feed(), .gone(status: 410))
        #expect(gone.outcome.fetch.gone && gone.failure?.contains("410") == true)
        let until = Timestamp(secondsSince1970: t0.secondsSince1970 + 7_200)
        let wait = decide(feed(), .retryAfter(status: 429, host: "a.example", until: until))
        #expect(wait.outcome.blockHost?.host == "a.example" && wait.outcome.blockHost?.until == until)
        #expect(wait.outcome.fetch.nextDueAt >= until && wait.outcome.fetch.error != nil)
    }

    @Test func silentOnceUntilItPublishesAgain() {
        let quiet = decide(feed(gap: 86_400, lastNew: -4 * 86_400), .notModified(status: 304, freshFor: nil))
        #expect(quiet.outcome.alerts.map { $0.health?.event } == [.silent] && quiet.outcome.silentAlerted == true)
        // The same quiet from a feed that has shown one gap, not a rhythm: not silent.
        #expect(decide(feed(gap: 86_400, lastNew: -4 * 86_400, gaps: 1), .notModified(status: 304, freshFor: nil)).outcome.alerts.isEmpty)
        #expect(decide(feed(gap: 86_400, lastNew: -5 * 86_400, silent: true), .notModified(status: 304, freshFor: nil)).outcome.alerts.isEmpty)
        let again = decide(feed(gap: 86_400, lastNew: -5 * 86_400, silent: true),
                           .document(status: 200, freshFor: nil, etag: nil, lastModified: nil, movedTo: nil, newItems: 1, title: nil))
        #expect(again.outcome.silentAlerted == false && again.outcome.alerts.isEmpty)
    }

    @Test func adaptivePollingFollowsThePublishingRate() {
        var adaptive = policy
        adaptive.adaptive = (minimum: 300, maximum: 86_400)
        let busy = decide(feed(gap: 600, lastNew: 0), .document(status: 200, freshFor: nil, etag: nil, lastModified: nil, movedTo: nil, newItems: 3, title: nil), adaptive)
        let fixed = decide(feed(gap: 600, lastNew: 0), .document(status: 200, freshFor: nil, etag: nil, lastModified: nil, movedTo: nil, newItems: 3, title: nil))
        #expect(busy.outcome.fetch.nextDueAt < fixed.outcome.fetch.nextDueAt)
    }
}
