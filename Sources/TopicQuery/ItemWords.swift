/// One word of a text as story grouping reads it: its stem's hash, its folded word's hash (what
/// stop-word lists are keyed by), and where it is in the text (Unicode scalar offsets, where
/// story grouping reads its capitals).
public typealias StemmedToken = (stem: UInt64, word: UInt64, start: Int, end: Int)

/// An item's title and summary words, recorded while the topic matcher tokenizes them for
/// classification (`TopicMatcher.classify(_:feedName:feedURL:recording:)`), so that story grouping
/// need not tokenize the same text a second time (in a cycle where every item matches, the second
/// tokenizing was the larger part of placing an item: BENCHMARKS.md, "Cost: a cycle where every
/// item matches").
///
/// Recording keeps only each word's hash and offsets — no bytes, no stem: it runs for every word
/// of every item classified, and most items match nothing and are never grouped (copying each
/// word's folded bytes too cost a cycle in which nothing matches ~3 % more). Story grouping then
/// takes each word's stem from its stemmer's cache, by the word's hash, exactly as it would while
/// tokenizing; a text with a word the cache lacks is tokenized again after all (`nil`), which
/// stems it and fills the cache as before. So the shared words pay off where a stream repeats its
/// vocabulary — a burst of coverage of one topic — and cost next to nothing elsewhere. Reused for
/// every item (cleared, never freed); like the matcher, not shared between threads.
public final class ItemWords {
    private struct Word {
        var hash: UInt64
        var start: Int32
        var end: Int32
    }

    /// A raw buffer, not an array: `Array.append` (its uniqueness and capacity checks) was a
    /// large part of recording's cost. A word is a capacity check and a store.
    private var words: UnsafeMutablePointer<Word>
    private var capacity = 512
    private var count = 0
    /// The title's words are `words[..<titleEnd]`, the summary's the rest (when `hasSummary`).
    private var titleEnd = 0
    private var hasTitle = false
    private var hasSummary = false

    public init() {
        words = .allocate(capacity: capacity)
    }

    deinit { words.deallocate() }

    /// A word of the text being tokenized, as the tokenizer hands it to its sinks.
    @inline(__always)
    func word(_ folded: UnsafeBufferPointer<UInt8>, hashes: UnsafePointer<UInt64>, start: Int, end: Int) {
        if count == capacity { grow() }
        words[count] = Word(hash: hashes[folded.count - 1], start: Int32(truncatingIfNeeded: start), end: Int32(truncatingIfNeeded: end))
        count += 1
    }

    @inline(never)
    private func grow() {
        let more = UnsafeMutablePointer<Word>.allocate(capacity: capacity * 2)
        more.initialize(from: words, count: count)
        words.deallocate()
        words = more
        capacity *= 2
    }

    /// Files the words read since the item began (the title) or since the title (the summary).
    func keep(as field: QueryField) {
        if field == .title {
            titleEnd = count
            hasTitle = true
        } else {
            hasSummary = true
        }
    }

    /// Forgets the last item's words (a field the item lacks then has none).
    func reset() {
        count = 0
        titleEnd = 0
        hasTitle = false
        hasSummary = false
    }

    /// The title's words with their stems from `stems`' cache (`nil`: the item has no title, it
    /// was not recorded, or the cache lacks one of its words — tokenize the title itself).
    public func title(_ stems: WordStems) -> [StemmedToken]? { hasTitle ? stemmed(0..<titleEnd, stems) : nil }

    /// The summary's words, as `title` gives the title's.
    public func summary(_ stems: WordStems) -> [StemmedToken]? { hasSummary ? stemmed(titleEnd..<count, stems) : nil }

    private func stemmed(_ range: Range<Int>, _ stems: WordStems) -> [StemmedToken]? {
        var out: [StemmedToken] = []
        out.reserveCapacity(range.count)
        for k in range {
            let w = words[k]
            guard let stem = stems.cachedStem(w.hash) else { return nil }
            out.append((stem, w.hash, Int(w.start), Int(w.end)))
        }
        return out
    }
}
