/// A word's postings: the slots of the held entries that use it, oldest first, each with how often
/// the entry uses the word — in 5 bytes a posting where a `(slot: Int32, tf: Float)` pair took 8.
/// Posting lists hold a posting per word of every item of the window, the largest part of the
/// index's memory. The count stays next to its slot because scoring reads 3,000 postings a
/// placement: reading it from the entry's own words instead (4 bytes a posting) was a cache miss
/// each, a third to a half more CPU per item (BENCHMARKS.md, "Cost: Benchmarks/StoryGroup").
///
/// Laid out in groups of five 32-bit words: the counts of up to four postings (a byte each, the
/// group's first posting in the low byte), then their slots.
struct PostingList {
    /// The largest count a posting holds; a word used this often or more is looked up elsewhere.
    static let maxCount: UInt8 = 255

    private var words: [UInt32] = []

    /// Postings held (live or not).
    var count: Int {
        let rest = words.count % 5
        return words.count / 5 * 4 + max(0, rest - 1)
    }

    mutating func append(slot: Int32, count: UInt8) {
        let rest = words.count % 5
        if rest == 0 {
            words.append(UInt32(count))
        } else {
            // `rest - 1` postings in the open group already.
            words[words.count - rest] |= UInt32(count) << (8 * UInt32(rest - 1))
        }
        words.append(UInt32(bitPattern: slot))
    }

    /// The postings newest first, until `body` returns false.
    @inline(__always) func forEachNewestFirst(_ body: (Int32, UInt8) -> Bool) {
        words.withUnsafeBufferPointer { w in
            var end = w.count
            while end > 0 {
                let start = (end - 1) / 5 * 5
                let counts = w[start]
                var i = end - 1
                while i > start {
                    let c = UInt8(truncatingIfNeeded: counts >> (8 * UInt32(i - start - 1)))
                    if !body(Int32(bitPattern: w[i]), c) { return }
                    i -= 1
                }
                end = start
            }
        }
    }

    /// The postings oldest first.
    func forEach(_ body: (Int32, UInt8) -> Void) {
        var start = 0
        while start < words.count {
            let counts = words[start]
            for i in (start + 1)..<min(start + 5, words.count) {
                body(Int32(bitPattern: words[i]), UInt8(truncatingIfNeeded: counts >> (8 * UInt32(i - start - 1))))
            }
            start += 5
        }
    }

    /// Drops the postings of `dead` slots, keeping the others in order.
    mutating func removeAll(where dead: (Int32) -> Bool) {
        var kept = PostingList()
        kept.words.reserveCapacity(words.count)
        forEach { slot, c in if !dead(slot) { kept.append(slot: slot, count: c) } }
        self = kept
    }
}
extension PostingList: Sendable {}
