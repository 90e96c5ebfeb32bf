/// When a story's held items were published: their mean time and spread (Welford's running
/// mean and sum of squared deviations, which also take an item out and join two stories).
///
/// Time counts against a story from where its coverage *is*, not from its farthest item: one
/// item of tomorrow that joined today's story must not make the story look like tomorrow's to
/// every item after it. Measured from the story's span, a single bridging item opens the whole
/// story to the next day's coverage, and a company's second event (its bankruptcy filing the
/// day after the hack of its CEO's blog) pours into the first; measured from the mean, give or
/// take its spread, a story covered over several days still reaches most of its items.
struct PublicationSpread: Equatable {
    private(set) var count: Int32 = 0
    /// Mean publication time (seconds since 1970).
    private(set) var mean: Double = 0
    /// Sum of squared deviations from the mean.
    private var squares: Double = 0

    /// The standard deviation of the publication times (0 for one item).
    var deviation: Double { count > 1 ? (max(0, squares) / Double(count)).squareRoot() : 0 }

    mutating func add(_ t: Int64) {
        count += 1
        let x = Double(t)
        let delta = x - mean
        mean += delta / Double(count)
        squares += delta * (x - mean)
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
        squares = max(0, squares - (x - before) * (x - mean))
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
        squares += other.squares + delta * delta * n * m / (n + m)
        count += other.count
    }

    /// How far the coverage reaches either side of its mean: one deviation. Items spread evenly
    /// over a span reach √3 deviations, but that much lets two companies' announcements of one
    /// week run into one story (the June 2020 week: 1.000 → 0.782 pairwise, BENCHMARKS.md). The
    /// ends of two days' steady coverage are then ten hours away, under a half-life.
    var reach: Double { deviation }

    /// Seconds from `t` to the story's coverage: beyond its mean by more than its reach.
    func gap(to t: Int64) -> Double { max(0, abs(Double(t) - mean) - reach) }

    /// Seconds between two stories' coverage: their means apart by more than both reaches.
    func gap(to other: PublicationSpread) -> Double { max(0, abs(other.mean - mean) - reach - other.reach) }
}
