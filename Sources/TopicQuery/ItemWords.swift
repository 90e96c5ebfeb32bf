/// One word of a text as story grouping reads it: its stem's hash, its folded word's hash (what
/// stop-word lists are keyed by), and where it is in the text (Unicode scalar offsets, where
/// story grouping reads its capitals).
public typealias StemmedToken = (stem: UInt64, word: UInt64, start: Int, end: Int)

/// An item's title and summary words, recorded while the topic matcher tokenizes them for
/// classification (`TopicMatcher.classify(_:feedName:feedURL:recording:)`), so that story grouping
/// stems the words the classifier already found instead of tokenizing the same text a second time
/// (in a cycle where every item matches, the second tokenizing was the larger part of placing an
/// item: BENCHMARKS.md, "Cost: a cycle where every item matches").
///
/// Recording keeps each word's folded bytes and hash, and stems nothing: most items classified
/// match no topic and are never grouped, so stemming waits until story grouping asks
/// (`title`/`summary`), with story grouping's own stemmer and cache, exactly as it stems a text
/// itself. Reused for every item (cleared, never freed); like the matcher, not shared between
/// threads.
public final class ItemWords {
    private struct Word {
        var hash: UInt64
        var start: Int32
        var end: Int32
        /// Its folded bytes are `bytes[from..<from + count]`.
        var from: Int32
        var count: Int32
    }

    // Raw buffers, not arrays: recording runs for every word of every item classified (most of
    // which match nothing), and `Array.append` — its uniqueness and capacity checks, the generic
    // copy of the bytes — was ~25 ns a word, a sixth more CPU for a cycle in which nothing
    // matches. Here a word is a capacity check and two stores.
    private var words: UnsafeMutablePointer<Word>
    private var wordCapacity = 512
    private var wordCount = 0
    private var bytes: UnsafeMutablePointer<UInt8>
    private var byteCapacity = 8_192
    private var byteCount = 0
    /// The title's words are `words[..<titleEnd]`, the summary's the rest (when `hasSummary`).
    private var titleEnd = 0
    private var hasTitle = false
    private var hasSummary = false

    public init() {
        words = .allocate(capacity: wordCapacity)
        bytes = .allocate(capacity: byteCapacity)
    }

    deinit {
        words.deallocate()
        bytes.deallocate()
    }

    /// A word of the text being tokenized, as the tokenizer hands it to its sinks.
    @inline(__always)
    func word(_ folded: UnsafeBufferPointer<UInt8>, hashes: UnsafePointer<UInt64>, start: Int, end: Int) {
        if wordCount == wordCapacity || byteCount + folded.count > byteCapacity { grow(folded.count) }
        words[wordCount] = Word(hash: hashes[folded.count - 1], start: Int32(truncatingIfNeeded: start), end: Int32(truncatingIfNeeded: end),
                                from: Int32(truncatingIfNeeded: byteCount), count: Int32(truncatingIfNeeded: folded.count))
        wordCount += 1
        (bytes + byteCount).update(from: folded.baseAddress!, count: folded.count)
        byteCount += folded.count
    }

    @inline(never)
    private func grow(_ needed: Int) {
        if wordCount == wordCapacity {
            let more = UnsafeMutablePointer<Word>.allocate(capacity: wordCapacity * 2)
            more.initialize(from: words, count: wordCount)
            words.deallocate()
            words = more
            wordCapacity *= 2
        }
        if byteCount + needed > byteCapacity {
            byteCapacity = max(byteCapacity * 2, byteCount + needed)
            let more = UnsafeMutablePointer<UInt8>.allocate(capacity: byteCapacity)
            more.initialize(from: bytes, count: byteCount)
            bytes.deallocate()
            bytes = more
        }
    }

    /// Files the words read since the item began (the title) or since the title (the summary).
    func keep(as field: QueryField) {
        if field == .title {
            titleEnd = wordCount
            hasTitle = true
        } else {
            hasSummary = true
        }
    }

    /// Forgets the last item's words (a field the item lacks then has none).
    func reset() {
        wordCount = 0
        byteCount = 0
        titleEnd = 0
        hasTitle = false
        hasSummary = false
    }

    /// The title's words, stemmed by `stems` (`nil`: the item has no title, or it was not recorded).
    public func title(_ stems: WordStems) -> [StemmedToken]? { hasTitle ? stemmed(0..<titleEnd, stems) : nil }

    /// The summary's words, stemmed by `stems` (`nil`: the item has no summary, or it was not recorded).
    public func summary(_ stems: WordStems) -> [StemmedToken]? { hasSummary ? stemmed(titleEnd..<wordCount, stems) : nil }

    private func stemmed(_ range: Range<Int>, _ stems: WordStems) -> [StemmedToken] {
        range.map { k in
            let w = words[k]
            let folded = UnsafeBufferPointer(start: bytes + Int(w.from), count: Int(w.count))
            return stems.token(folded, word: w.hash, start: Int(w.start), end: Int(w.end))
        }
    }
}
