import FeedwatchCore
import Scheduler
import Testing

/// The contract's politeness rules, on a manual clock and fixed "random" numbers.
@Suite struct PollScheduleTests {
    let now = Timestamp(secondsSince1970: 1_800_000_000)
    let middle = { 0.5 }          // no jitter
    let earliest = { 0.0 }        // −10 %
    let latest = { 0.999_999 }    // +10 %

    private func wait(_ s: PollSchedule, _ o: PollSchedule.Outcome, _ r: () -> Double) -> Int64? {
        s.nextDue(after: o, at: now, random: r).map { $0.secondsSince1970 - now.secondsSince1970 }
    }

    @Test func theIntervalIsHonouredAsWrittenWithTenPercentJitter() {
        let s = PollSchedule(interval: 900, maxInterval: 86_400)
        #expect(wait(s, .success(freshFor: nil), middle) == 900)
        #expect(wait(s, .success(freshFor: nil), earliest) == 810)
        #expect(wait(s, .success(freshFor: nil), latest) == 990)
        #expect(wait(PollSchedule(interval: 1, maxInterval: 60), .success(freshFor: nil), earliest) == 1)
        #expect(wait(PollSchedule(interval: 0, maxInterval: 60), .success(freshFor: nil), middle) == 1)
    }

    @Test func freshnessOnlyLengthensUpToTheMaximum() {
        let s = PollSchedule(interval: 900, maxInterval: 3_600)
        #expect(wait(s, .success(freshFor: 60), middle) == 900)       // shorter: ignored
        #expect(wait(s, .success(freshFor: 1_800), middle) == 1_800)  // longer: honoured
        #expect(wait(s, .success(freshFor: 86_400), middle) == 3_600) // capped
        // A max_interval below the interval never shortens it.
        #expect(wait(PollSchedule(interval: 900, maxInterval: 60), .success(freshFor: 86_400), middle) == 900)
    }

    @Test func adaptiveIntervalsFollowHowOftenAFeedPublishes() {
        func adapted(_ gap: Int?, silent: Int?, min: Int = 900) -> Int {
            PollSchedule.adaptiveInterval(interval: 900, typicalGap: gap, silentFor: silent, minimum: min, maximum: 86_400)
        }
        #expect(adapted(nil, silent: nil) == 900)            // nothing known yet
        #expect(adapted(nil, silent: 0) == 900)
        #expect(adapted(1_800, silent: 0) == 900)             // busier than the interval: as configured
        #expect(adapted(14_400, silent: 600) == 3_600)        // every 4 h: polled hourly
        #expect(adapted(604_800, silent: 0) == 86_400)        // weekly: capped at max_interval
        #expect(adapted(14_400, silent: 172_800) == 43_200)   // silent for two days: slower than usual
        #expect(adapted(1_800, silent: 0, min: 60) == 450)    // a lower min_interval lets busy feeds go faster
        #expect(PollSchedule.adaptiveInterval(interval: 900, typicalGap: 604_800, silentFor: 0, minimum: 900, maximum: 600) == 900)
    }

    @Test func failuresBackOffExponentiallyUpToADay() {
        let s = PollSchedule(interval: 600, maxInterval: 86_400)
        #expect([1, 2, 3, 4].map { s.backoff($0) } == [600, 1_200, 2_400, 4_800])
        #expect(s.backoff(20) == 86_400)
        #expect(s.backoff(1_000) == 86_400)
        #expect(wait(s, .failure(errorsInRow: 3), middle) == 2_400)
        #expect(wait(s, .failure(errorsInRow: 3), latest) == 2_640)
        #expect(wait(s, .failure(errorsInRow: 30), latest)! <= 95_040)
        // An interval longer than the cap is still honoured.
        #expect(PollSchedule(interval: 172_800, maxInterval: 172_800).backoff(5) == 172_800)
    }

    @Test func retryAfterIsAFloorThatJitterNeverUndercuts() {
        let s = PollSchedule(interval: 60, maxInterval: 3_600)
        let later = Timestamp(secondsSince1970: now.secondsSince1970 + 7_200)
        #expect(wait(s, .retryAfter(until: later, errorsInRow: 1), earliest) == 7_200)
        // A Retry-After sooner than the backoff: the backoff wins.
        let soon = Timestamp(secondsSince1970: now.secondsSince1970 + 5)
        #expect(wait(s, .retryAfter(until: soon, errorsInRow: 3), middle) == 240)
        // A date in the past still waits a second.
        #expect(wait(PollSchedule(interval: 1, maxInterval: 1), .retryAfter(until: Timestamp(secondsSince1970: 0), errorsInRow: 1), earliest) == 1)
    }

    @Test func goneIsNeverDue() {
        #expect(wait(PollSchedule(interval: 60, maxInterval: 60), .gone, middle) == nil)
    }

    @Test func retryAfterHeadersInBothForms() {
        let at = Double(now.secondsSince1970)
        #expect(FreshnessHeaders.retryAfter("120", receivedAt: at)?.secondsSince1970 == now.secondsSince1970 + 120)
        #expect(FreshnessHeaders.retryAfter(" Wed, 21 Oct 2026 07:28:00 GMT ", receivedAt: at) == Timestamp(year: 2026, month: 10, day: 21, hour: 7, minute: 28))
        #expect(FreshnessHeaders.retryAfter("soon", receivedAt: at) == nil)
        #expect(FreshnessHeaders.retryAfter("-5", receivedAt: at) == nil)
    }

    /// A delay counted from a moment between two seconds ends at the next whole second, never
    /// the one before: a request at the truncated second would come before the server's moment.
    @Test func retryAfterSecondsRoundUpFromTheMomentOfReceipt() {
        let at = Double(now.secondsSince1970) + 0.7
        #expect(FreshnessHeaders.retryAfter("15", receivedAt: at)?.secondsSince1970 == now.secondsSince1970 + 16)
        #expect(FreshnessHeaders.retryAfter("15", receivedAt: Double(now.secondsSince1970) + 0.0001)?.secondsSince1970 == now.secondsSince1970 + 16)
        #expect(FreshnessHeaders.retryAfter("0", receivedAt: at)?.secondsSince1970 == now.secondsSince1970 + 1)
        // The schedule never moves the deadline earlier either.
        let until = FreshnessHeaders.retryAfter("15", receivedAt: at)!
        let due = PollSchedule(interval: 1, maxInterval: 1).nextDue(after: .retryAfter(until: until, errorsInRow: 1), at: now, random: { 0 })!
        #expect(due >= until)
        #expect(Double(due.secondsSince1970) >= at + 15)
    }

    @Test func freshnessFromCacheControlThenExpires() {
        #expect(FreshnessHeaders.freshness(cacheControl: "public, max-age=600", expires: nil, date: nil, now: now) == 600)
        #expect(FreshnessHeaders.freshness(cacheControl: "max-age=\"30\", must-revalidate", expires: nil, date: nil, now: now) == 30)
        #expect(FreshnessHeaders.freshness(cacheControl: "no-cache, max-age=600", expires: nil, date: nil, now: now) == nil)
        let date = "Wed, 21 Oct 2026 07:00:00 GMT", expires = "Wed, 21 Oct 2026 08:00:00 GMT"
        #expect(FreshnessHeaders.freshness(cacheControl: nil, expires: expires, date: date, now: now) == 3_600)
        #expect(FreshnessHeaders.freshness(cacheControl: "private", expires: expires, date: date, now: now) == 3_600)
        #expect(FreshnessHeaders.freshness(cacheControl: nil, expires: "0", date: date, now: now) == nil)
        #expect(FreshnessHeaders.freshness(cacheControl: nil, expires: "Wed, 21 Oct 2026 06:00:00 GMT", date: date, now: now) == 0)
    }
}
