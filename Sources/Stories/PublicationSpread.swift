internal import Glibc

/// When a story's held items were published: their mean time and spread (Welford's running
/// mean and sum of squared deviations, which also take an item out and join two stories).
///
/// Time counts against a story from where its coverage *is*, not from its farthest item: one
/// item of tomorrow that joined today's story must not make the story look like tomorrow's to
/// every item after it. Measured from the story's span, a single bridging item opens the whole
/// story to the next day's coverage, and a company's second event (its bankruptcy filing the
/// day after the hack of its CEO's blog) pours into the first; measured from the mean, give or
/// take its spread, a story covered over several days still reaches most of its items.
///
/// 16 bytes in every story held (most stories are one item): the mean first, then the two 4-byte
/// fields, so that no padding comes between them.
struct PublicationSpread: Equatable {
    /// Mean publication time (seconds since 1970).
    private(set) var mean: Double = 0
    private(set) var count: Int32 = 0
    /// Sum of squared deviations from the mean: a `Float`, since a Double would add 8 bytes to
    /// every story for precision that a half-life of hours does not need (a deviation to the second).
    private var squares: Float = 0

    /// The standard deviation of the publication times (0 for one item).
    var deviation: Double { count > 1 ? (max(0, Double(squares)) / Double(count)).squareRoot() : 0 }

    mutating func add(_ t: Int64) {
        count += 1
        let x = Double(t)
        let delta = x - mean
        mean += delta / Double(count)
        squares += Float(delta * (x - mean))
    }

    mutating func remove(_ t: Int64) {
        guard count > 1 else {
            self = PublicationSpread()
            return
        }
        let x = Double(t)
        let before = mean
        mean = (Double(count) * mean - x) / Double(count - 1)
        count -= 1
        squares = max(0, squares - Float((x - before) * (x - mean)))
    }

    mutating func merge(_ other: PublicationSpread) {
        guard other.count > 0 else { return }
        guard count > 0 else {
            self = other
            return
        }
        let (n, m) = (Double(count), Double(other.count))
        let delta = other.mean - mean
        mean += delta * m / (n + m)
        squares += other.squares + Float(delta * delta * n * m / (n + m))
        count += other.count
    }

    /// How far the coverage reaches either side of its mean. Items spread evenly over a span
    /// reach √3 deviations, and a big story's newest items are where it is growing: at one
    /// deviation, the ends of two days' steady coverage sit ten hours away (× 0.56), and the
    /// synthetic stream's recall fell from 0.96 to 0.85 at 100,000 items a day. A few items'
    /// deviation says little, though, and √3 of it let two companies' announcements of one week
    /// run into one story (the June 2020 week: 1.000 → 0.782 pairwise, BENCHMARKS.md): one
    /// deviation up to `Self.settled` items, √3 beyond.
    var reach: Double { Double(count) > Self.settled ? 3.0.squareRoot() * deviation : deviation }

    /// From how many items a story's deviation is taken at its word (and its burst, below).
    static let settled = 16.0

    /// Seconds from `t` to the story's coverage: beyond its mean by more than its reach.
    func gap(to t: Int64) -> Double { max(0, abs(Double(t) - mean) - reach) }

    /// Seconds between two stories' coverage: their means apart by more than both reaches.
    func gap(to other: PublicationSpread) -> Double { max(0, abs(other.mean - mean) - reach - other.reach) }

    /// How much a story of this many items, this close together, still reaches an item `gap`
    /// seconds past its first or last item: 1 for a story of up to `settled` items (a few
    /// outlets' reports, days apart, have not shown how long their story lasts), then
    /// ((deviation + slack) / (deviation + slack + gap))^log₂(count / settled). A story of a
    /// hundred reports within one day has shown its burst; an item a day past it is most likely
    /// a new development (the next day's filing after the hack), which news aggregators label
    /// as a story of its own. The time half-life alone cannot tell them apart without also
    /// cutting a small event covered over three days; this falls on big, tight bursts only.
    /// Measured from the last item, not from the mean: a big story still growing is never past
    /// its burst at its newest item (from the mean and deviation, its newest items lost up to a
    /// quarter of their score, and the synthetic stream's recall fell 0.97 → 0.94).
    func burst(_ gap: Double, slack: Double, settled: Double) -> Double {
        Self.burst(gap, count: count, deviation: deviation, slack: slack, settled: settled)
    }

    /// The same for two stories `gap` apart: the larger one's count, the wider one's deviation.
    func burst(_ gap: Double, _ other: PublicationSpread, slack: Double, settled: Double) -> Double {
        Self.burst(gap, count: max(count, other.count), deviation: max(deviation, other.deviation), slack: slack, settled: settled)
    }

    private static func burst(_ gap: Double, count: Int32, deviation: Double, slack: Double, settled: Double) -> Double {
        guard gap > 0, slack > 0, Double(count) > settled else { return 1 }
        let reach = deviation + slack
        return pow(reach / (reach + gap), log2(Double(count) / settled))
    }
}
