import Testing
import FeedwatchCore
@testable import Stories

/// PostingList against an array of (slot, count) pairs: its packing (four counts to a word ahead
/// of their slots) must give back every posting, in order and newest first, through groups filled
/// to every length and compactions that leave groups part-full.
@Suite struct PostingListTests {
    @Test func agreesWithAnArray() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var list = PostingList()
            var reference: [(Int32, UInt8)] = []
            var next = Int32.random(in: 0...Int32.max - 10_000, using: &rng)
            for _ in 0..<Int.random(in: 0..<300, using: &rng) {
                if Int.random(in: 0..<40, using: &rng) == 0 {
                    let dead = Set(reference.map(\.0).filter { _ in Bool.random(using: &rng) })
                    list.removeAll { dead.contains($0) }
                    reference.removeAll { dead.contains($0.0) }
                }
                let c = UInt8.random(in: 1...255, using: &rng)
                list.append(slot: next, count: c)
                reference.append((next, c))
                next += Int32.random(in: 1...30, using: &rng)
                #expect(list.count == reference.count)
            }
            var oldestFirst: [(Int32, UInt8)] = []
            list.forEach { oldestFirst.append(($0, $1)) }
            #expect(oldestFirst.map(\.0) == reference.map(\.0))
            #expect(oldestFirst.map(\.1) == reference.map(\.1))
            var newestFirst: [(Int32, UInt8)] = []
            list.forEachNewestFirst { newestFirst.append(($0, $1)); return true }
            #expect(newestFirst.map(\.0) == reference.reversed().map(\.0))
            #expect(newestFirst.map(\.1) == reference.reversed().map(\.1))
            // Stopping early stops.
            var seen = 0
            list.forEachNewestFirst { _, _ in seen += 1; return seen < 7 }
            #expect(seen == min(7, reference.count))
        }
    }

    /// A word used more often than a posting counts (255) is scored by its exact count, kept
    /// beside the postings: an item repeating a word 300 times is placed, and its follow-up
    /// joins its story through the postings of that word and the others they share.
    @Test func aWordBeyondACountStillScores() {
        let index = StoryIndex()
        let t0 = Timestamp(secondsSince1970: 1_591_660_000)
        let spam = Array(repeating: "zorblax", count: 300).joined(separator: " ")
        let first = index.add(item: 1, title: "Quantum zorblax reactor unveiled in Reykjavik harbour",
                              summary: spam + " quantum reactor harbour", at: t0, seen: t0, newStoryID: "a")
        let t1 = Timestamp(secondsSince1970: t0.secondsSince1970 + 600)
        let second = index.add(item: 2, title: "Reykjavik harbour shows quantum zorblax reactor",
                               summary: spam + " reactor harbour quantum", at: t1, seen: t1, newStoryID: "b")
        #expect(first.isNew)
        #expect(second.id == "a")
        let c = index.checkpoint()
        let third = index.add(item: 3, title: "Unrelated bakery opens downtown", summary: "Bread and cakes", at: t1, seen: t1, newStoryID: "c")
        #expect(third.id == "c")
        index.rollback(to: c)
        #expect(!index.contains(item: 3))
    }
}
