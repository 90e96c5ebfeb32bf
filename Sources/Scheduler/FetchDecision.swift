public import FeedwatchCore
public import Store

/// What polling a feed came to, reduced to what deciding about it needs: the transport and the
/// parser have done their part, the store has not been touched.
public enum FetchResult: Sendable {
    /// The feed is as it was (HTTP 304, or a local file whose size and time did not change).
    case notModified(status: Int, freshFor: Int?)
    /// A feed document was read; `newItems` of its items were new to the feed.
    case document(status: Int, freshFor: Int?, etag: String?, lastModified: String?, movedTo: String?, newItems: Int, title: String?)
    /// HTTP 410: the feed is gone.
    case gone(status: Int)
    /// HTTP 429 or 503 with a `Retry-After` the host asked for.
    case retryAfter(status: Int, host: String, until: Timestamp)
    /// Anything else that failed: a transport error, another HTTP status, not a feed.
    case failed(status: Int?, message: String)
    /// A web page that announces its feed: polled from the next cycle on, as after a permanent
    /// redirect; said, not counted as a failure.
    case announces(status: Int, feedURL: String)
}

/// The politeness and health rules for one feed, from the config.
public struct FetchPolicy: Sendable {
    public var schedule: PollSchedule
    /// `poll.adaptive`: the interval follows how often the feed publishes, between these.
    public var adaptive: (minimum: Int, maximum: Int)?
    /// `health.failing_after`, `health.silent_after`.
    public var failingAfter: Int?
    public var silentAfter: Int?
    /// The name a health alert gives the feed (its config name, else its title).
    public var name: String?

    public init(schedule: PollSchedule, adaptive: (minimum: Int, maximum: Int)? = nil, failingAfter: Int? = nil, silentAfter: Int? = nil,
                name: String? = nil) {
        self.schedule = schedule
        self.adaptive = adaptive
        self.failingAfter = failingAfter
        self.silentAfter = silentAfter
        self.name = name
    }
}

/// The fetch decider: a poll's result in, what to record out — the next poll, validators, a
/// host's block, the health alerts it raises. A pure function of the feed as stored, the result,
/// the clock and a random source, so every rule is tested without a store or a network, and the
/// store only applies the outcome.
public enum FetchDecision {
    public struct Decision: Sendable {
        public var outcome: FeedOutcome
        /// What went wrong, for the cycle's summary and the log (`nil`: it worked).
        public var failure: String?
    }

    public static func decide(_ feed: FeedRecord, _ result: FetchResult, policy: FetchPolicy, now: Timestamp,
                              random: () -> Double) -> Decision {
        switch result {
        case .notModified(let status, let fresh):
            return succeed(feed, policy: policy, newItems: 0, title: nil, now: now, random: random, freshFor: fresh) {
                FetchOutcome(at: now, status: status, etag: feed.etag, lastModified: feed.lastModified, nextDueAt: $0)
            }
        case .document(let status, let fresh, let etag, let lastModified, let movedTo, let newItems, let title):
            return succeed(feed, policy: policy, newItems: newItems, title: title, now: now, random: random, freshFor: fresh) {
                FetchOutcome(at: now, status: status, etag: etag, lastModified: lastModified, movedTo: movedTo, nextDueAt: $0)
            }
        case .gone(let status):
            return fail(feed, status: status, "HTTP 410 Gone: not polled again until its config entry changes", .gone, policy: policy,
                        now: now, random: random)
        case .retryAfter(let status, let host, let until):
            var d = fail(feed, status: status, "HTTP \(status), retry after \(until.rfc3339)",
                         .retryAfter(until: until, errorsInRow: feed.errorsInRow + 1), policy: policy, now: now, random: random)
            d.outcome.blockHost = (host, until)
            return d
        case .failed(let status, let message):
            return fail(feed, status: status, message, .failure(errorsInRow: feed.errorsInRow + 1), policy: policy, now: now, random: random)
        case .announces(let status, let url):
            let fetch = FetchOutcome(at: now, status: status, error: "a web page, not a feed; it announces \(url)", movedTo: url, nextDueAt: now)
            return Decision(outcome: FeedOutcome(feedID: feed.id, fetch: fetch), failure: nil)
        }
    }

    private static func fail(_ feed: FeedRecord, status: Int?, _ message: String, _ o: PollSchedule.Outcome, policy: FetchPolicy,
                             now: Timestamp, random: () -> Double) -> Decision {
        let next = policy.schedule.nextDue(after: o, at: now, random: random) ?? now
        var alerts: [Alert] = []
        // The poll that makes `failing_after` failures in a row raises a "failing" alert (once).
        if let n = policy.failingAfter, feed.errorsInRow + 1 == n {
            alerts.append(health(.init(event: .failing, errorsInRow: n, error: message), feed: feed, name: policy.name, now: now))
        }
        let fetch = FetchOutcome(at: now, status: status, error: message, gone: o == .gone, nextDueAt: next)
        return Decision(outcome: FeedOutcome(feedID: feed.id, fetch: fetch, alerts: alerts), failure: message)
    }

    /// A success after a "failing" alert raises "recovered"; a feed silent for `silent_after`
    /// times its usual gap between new items raises "silent" (once, until it publishes again).
    private static func succeed(_ feed: FeedRecord, policy: FetchPolicy, newItems: Int, title: String?, now: Timestamp,
                                random: () -> Double, freshFor: Int?, _ fetch: (Timestamp) -> FetchOutcome) -> Decision {
        var plan = policy.schedule
        if let (minimum, maximum) = policy.adaptive {
            let silent = newItems > 0 ? 0 : feed.lastNewAt.map { Int(now.secondsSince1970 - $0.secondsSince1970) }
            plan.interval = PollSchedule.adaptiveInterval(interval: plan.interval, typicalGap: feed.publishGap, silentFor: silent,
                                                          minimum: minimum, maximum: maximum)
            plan.maxInterval = max(plan.maxInterval, plan.interval)
        }
        let next = plan.nextDue(after: .success(freshFor: freshFor), at: now, random: random) ?? now
        var outcome = FeedOutcome(feedID: feed.id, fetch: fetch(next))
        let name = policy.name ?? title
        if let n = policy.failingAfter, feed.errorsInRow >= n {
            outcome.alerts.append(health(.init(event: .recovered, errorsInRow: feed.errorsInRow), feed: feed, name: name, now: now))
        }
        if newItems > 0 {
            if feed.silentAlerted { outcome.silentAlerted = false }
        } else if let k = policy.silentAfter, !feed.silentAlerted, let gap = feed.publishGap, let last = feed.lastNewAt,
                  let silent = SilentFeed.silentFor(usualGap: gap, gapsSeen: feed.gapsSeen, lastNewAt: last, now: now, factor: k) {
            outcome.alerts.append(health(.init(event: .silent, silentFor: silent, usualGap: gap), feed: feed, name: name, now: now))
            outcome.silentAlerted = true
        }
        return Decision(outcome: outcome, failure: nil)
    }

    /// A feed health alert; its id is stable for the feed, the event and the second it happened.
    public static func health(_ h: Alert.Health, feed: FeedRecord, name: String?, now: Timestamp) -> Alert {
        Alert(id: "hl_" + EntryKey.digest([feed.url, h.event.rawValue, String(now.secondsSince1970)]), emittedAt: now,
              feed: Alert.Feed(url: feed.url, title: name), health: h)
    }
}
