public import FeedwatchCore
internal import Normalize

/// When to poll a feed next, from how the last poll went: the contract's politeness rules as a
/// pure function of their inputs (the clock and the randomness are passed in), so every rule is
/// tested without waiting.
public struct PollSchedule: Sendable {
    /// The feed's interval, as configured (honoured as written, 1 s and up).
    public var interval: Int
    /// What `ttl`, `Cache-Control: max-age` and `Expires` may lengthen the interval to.
    public var maxInterval: Int
    /// Failure backoff never waits longer than this.
    public var maxBackoff = 86_400
    /// Each wait is spread by up to this fraction either way, so feeds added together do not
    /// stay together.
    public var jitter = 0.1

    public init(interval: Int, maxInterval: Int) {
        self.interval = max(1, interval)
        self.maxInterval = max(self.interval, maxInterval)
    }

    /// How a poll ended.
    public enum Outcome: Sendable, Equatable {
        /// 2xx or 304. `freshFor`: seconds the feed or server says the content stays fresh
        /// (RSS `ttl`, `max-age`, `Expires`), if any.
        case success(freshFor: Int?)
        /// Any failure; `errorsInRow` counts this one.
        case failure(errorsInRow: Int)
        /// 429 or 503 with a `Retry-After`: nothing is sent to the host before `until`.
        case retryAfter(until: Timestamp, errorsInRow: Int)
        /// 410: not polled again until the config entry changes.
        case gone
    }

    /// The next time the feed is due, or `nil` for never. `random` gives numbers in 0..<1.
    public func nextDue(after outcome: Outcome, at now: Timestamp, random: () -> Double) -> Timestamp? {
        let wait: Int
        switch outcome {
        case .gone:
            return nil
        case .success(let fresh):
            wait = spread(min(maxInterval, max(interval, fresh ?? 0)), random)
        case .failure(let n):
            wait = spread(backoff(n), random)
        case .retryAfter(let until, let n):
            // The server's own date is kept to the second: never earlier, never spread earlier.
            let asked = Int(until.secondsSince1970 - now.secondsSince1970)
            return Timestamp(secondsSince1970: now.secondsSince1970 + Int64(max(asked, spread(backoff(n), random), 1)))
        }
        return Timestamp(secondsSince1970: now.secondsSince1970 + Int64(max(1, wait)))
    }

    /// Adaptive polling's interval for a feed: about four polls per its typical gap between
    /// new items, so a new item waits about a quarter of that gap — a feed that publishes
    /// weekly is not asked every 15 minutes, one that publishes hourly keeps its interval.
    /// A feed silent for longer than its typical gap counts as that slow. Within
    /// `minimum…maximum`; `interval` while nothing is known.
    /// - Parameters:
    ///   - typicalGap: seconds between polls that found new items (an average), if known.
    ///   - silentFor: seconds since the last new item, if any was seen.
    public static func adaptiveInterval(interval: Int, typicalGap: Int?, silentFor: Int?, minimum: Int, maximum: Int) -> Int {
        let slowest = max(typicalGap ?? 0, silentFor ?? 0)
        guard slowest > 0 else { return interval }
        return min(max(slowest / 4, minimum), max(minimum, maximum))
    }

    /// `interval × 2^(n−1)`, at most `maxBackoff` (and never less than the interval).
    public func backoff(_ errorsInRow: Int) -> Int {
        let n = max(1, errorsInRow)
        if n > 40 { return max(interval, maxBackoff) }
        let (v, overflow) = interval.multipliedReportingOverflow(by: 1 << (n - 1))
        return overflow ? max(interval, maxBackoff) : max(interval, min(v, maxBackoff))
    }

    private func spread(_ seconds: Int, _ random: () -> Double) -> Int {
        let delta = Double(seconds) * jitter * (random() * 2 - 1)
        return Int((Double(seconds) + delta).rounded())
    }
}

/// The HTTP headers that say how long to wait, read as RFC 9110/9111 define them.
public enum FreshnessHeaders {
    /// `Retry-After`: delay-seconds or an HTTP-date, as the first whole second at which a request
    /// is allowed. `receivedAt` is when the response arrived (or later), in seconds since 1970
    /// with the fraction: the delay counts from then, and the sum is rounded up — rounded down,
    /// a `Retry-After: 15` received at 100.7 s allowed a request at 115.0 s, 0.7 s early.
    public static func retryAfter(_ value: String, receivedAt: Double) -> Timestamp? {
        let v = value.trimmingWhitespace()
        if let seconds = Int(v), seconds >= 0 { return Timestamp(notBefore: receivedAt + Double(seconds)) }
        return DateParser.parse(v)
    }

    /// Seconds of freshness from `Cache-Control: max-age` (preferred, `s-maxage` ignored: we are
    /// not a shared cache), else `Expires` against `Date` (else `now`); `no-cache`/`no-store`
    /// mean none.
    public static func freshness(cacheControl: String?, expires: String?, date: String?, now: Timestamp) -> Int? {
        if let cc = cacheControl?.lowercased() {
            var maxAge: Int?
            for directive in cc.split(separator: ",") {
                let d = directive.trimmingWhitespace()
                if d == "no-cache" || d == "no-store" { return nil }
                if d.hasPrefix("max-age="), let n = Int(d.dropFirst(8).filter { $0 != "\"" }), n >= 0 { maxAge = n }
            }
            if let maxAge { return maxAge }
        }
        guard let expires, let until = DateParser.parse(expires) else { return nil }
        let base = date.flatMap(DateParser.parse) ?? now
        return max(0, Int(until.secondsSince1970 - base.secondsSince1970))
    }
}
