import Testing
@testable import Stories

/// PublicationSpread's running mean and spread against the same figures computed from the
/// times held, through adds, removals (eviction) and merges; and what time counts from.
@Suite struct PublicationSpreadTests {
    static func direct(_ times: [Int64]) -> (mean: Double, deviation: Double) {
        guard !times.isEmpty else { return (0, 0) }
        let mean = times.map(Double.init).reduce(0, +) / Double(times.count)
        let squares = times.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +)
        return (mean, times.count > 1 ? (squares / Double(times.count)).squareRoot() : 0)
    }

    @Test func agreesWithTheTimesHeld() {
        var rng = SystemRandomNumberGenerator()
        let base: Int64 = 1_394_409_600  // 2014-03-10, seconds since 1970: the size real times have
        for _ in 0..<50 {
            var a = PublicationSpread(), b = PublicationSpread()
            var ta: [Int64] = [], tb: [Int64] = []
            for _ in 0..<200 {
                let t = base + Int64.random(in: 0..<(3 * 86_400), using: &rng)
                if Bool.random(using: &rng) { a.add(t); ta.append(t) } else { b.add(t); tb.append(t) }
                if Int.random(in: 0..<4, using: &rng) == 0, !ta.isEmpty {
                    let k = Int.random(in: ta.indices, using: &rng)
                    a.remove(ta.remove(at: k))
                }
            }
            let (mean, deviation) = Self.direct(ta)
            #expect(Int(a.count) == ta.count)
            // The mean to the millisecond; the deviation to the second (its squares are a Float).
            #expect(abs(a.mean - mean) < 1e-3 && abs(a.deviation - deviation) < 1, "\(a) against \(mean), \(deviation)")
            a.merge(b)
            let both = Self.direct(ta + tb)
            #expect(Int(a.count) == ta.count + tb.count)
            #expect(abs(a.mean - both.mean) < 1e-3 && abs(a.deviation - both.deviation) < 1)
        }
        var one = PublicationSpread()
        one.add(base)
        one.remove(base)
        #expect(one == PublicationSpread())
        #expect(MemoryLayout<PublicationSpread>.size == 16)
    }

    /// A story of a day's coverage that one item of the next day joined is still that day's: the
    /// next day's items are most of half a day from it, where its span would put them two hours off.
    @Test func oneLateItemDoesNotMoveTheStory() {
        let day: Int64 = 86_400
        var story = PublicationSpread()
        for k in 0..<40 { story.add(Int64(k) * 1_800) }  // 20 hours of coverage
        story.add(day + 6 * 3_600)  // one item the next morning
        let next = day + 8 * 3_600
        #expect(story.gap(to: next) > 0.4 * Double(day))
        // A story covered steadily over two days reaches its own items, to its newest.
        var steady = PublicationSpread()
        for k in 0...48 { steady.add(Int64(k) * 3_600) }
        #expect(steady.gap(to: 0) < 1_800 && steady.gap(to: 48 * 3_600) < 1_800)
        // A few reports' deviation reaches one deviation only: its ends are hours away.
        var few = PublicationSpread()
        for k in 0..<5 { few.add(Int64(k) * 6 * 3_600) }
        #expect(few.gap(to: 0) > 3 * 3_600 && few.gap(to: 12 * 3_600) == 0)
        #expect(steady.gap(to: 3 * day) > 0.9 * Double(day))
        #expect(steady.gap(to: steady) == 0)
    }

    /// A big, tight burst reaches little past its last item; a few reports do not show how long
    /// their story lasts; the next item of a big story still growing, minutes after its last,
    /// loses next to nothing (`StoryIndex` measures the burst's gap from its first and last items).
    @Test func aBurstReachesAsFarAsItsLength() {
        let (day, hour): (Int64, Int64) = (86_400, 3_600)
        let (slack, settled) = (Double(day), 16.0)
        var oneDay = PublicationSpread()  // a hundred reports, all dated the same day
        for _ in 0..<100 { oneDay.add(0) }
        #expect(oneDay.burst(Double(day), slack: slack, settled: settled) < 0.2)
        var few = PublicationSpread()  // five outlets over three days
        for k in 0..<5 { few.add(Int64(k) * 15 * hour) }
        #expect(few.burst(Double(day), slack: slack, settled: settled) == 1)
        var live = PublicationSpread()  // a hundred reports over the last twelve hours
        for k in 0..<100 { live.add(Int64(k) * 12 * hour / 100) }
        #expect(live.burst(10 * 60, slack: slack, settled: settled) > 0.98)
        #expect(live.burst(Double(day), slack: slack, settled: settled) < 0.3)
        // Two stories: the larger count (a hundred) with the wider spread (three days'): between the
        // tight burst's reach and none.
        let pair = few.burst(Double(day), oneDay, slack: slack, settled: settled)
        #expect(pair > oneDay.burst(Double(day), slack: slack, settled: settled) && pair < 1)
        #expect(pair == oneDay.burst(Double(day), few, slack: slack, settled: settled))
        #expect(oneDay.burst(0, slack: slack, settled: settled) == 1 && oneDay.burst(Double(day), slack: 0, settled: settled) == 1)
    }
}
