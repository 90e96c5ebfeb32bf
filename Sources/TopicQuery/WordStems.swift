/// The words of a text as hashes of their stems, for comparing texts with each other (story
/// grouping) rather than with a query: the same tokenizer and folding as the topic matcher, so
/// "IBM’s" and "ibm", "Rekognition" and "rekognition" meet; then a Snowball stemmer, so that
/// "bans", "banned" and "ban" do. One per thread: the stemmer keeps state between calls.
public final class WordStems {
    private let buffer = WordBuffer()
    private let stemmer: Stemmer?
    /// A word's stem hash by the word's hash, direct-mapped: news repeats its words, so most are
    /// stemmed once (a colliding word just stems again).
    private var cache = [(word: UInt64, stem: UInt64)](repeating: (0, 0), count: 1 << 16)

    /// `language`: a libstemmer name or ISO 639 code; an unknown one leaves words unstemmed.
    public init(language: String = "en") {
        stemmer = Stemmer(language: language)
    }

    /// Calls `body` with the hash of each word's stem, in text order, and the folded word's
    /// hash (`hash(_:)` of a word gives the same, for stop-word lists).
    public func forEach(_ text: String, _ body: (_ stem: UInt64, _ word: UInt64) -> Void) {
        struct Each: TokenSink {
            let owner: WordStems
            let body: (UInt64, UInt64) -> Void
            mutating func word(_ folded: UnsafeBufferPointer<UInt8>, hashes: UnsafePointer<UInt64>, start: Int, end: Int) {
                let word = hashes[folded.count - 1]
                body(owner.stemHash(folded, word: word), word)
            }
        }
        withoutActuallyEscaping(body) { body in
            var sink = Each(owner: self, body: body)
            var text = text
            text.withUTF8 { TextTokenizer.scan($0, buffer: buffer, into: &sink) }
        }
    }

    /// As `forEach`, with where the word is in `text` (offsets in Unicode scalars): story grouping
    /// reads a word's capitals there, which folding has removed. (`ItemWords` records the same
    /// tokens while the topic matcher reads the text.)
    public func forEachWord(_ text: String, _ body: (_ stem: UInt64, _ word: UInt64, _ start: Int, _ end: Int) -> Void) {
        struct Each: TokenSink {
            let owner: WordStems
            let body: (UInt64, UInt64, Int, Int) -> Void
            mutating func word(_ folded: UnsafeBufferPointer<UInt8>, hashes: UnsafePointer<UInt64>, start: Int, end: Int) {
                let t = owner.token(folded, word: hashes[folded.count - 1], start: start, end: end)
                body(t.stem, t.word, t.start, t.end)
            }
        }
        withoutActuallyEscaping(body) { body in
            var sink = Each(owner: self, body: body)
            var text = text
            text.withUTF8 { TextTokenizer.scan($0, buffer: buffer, into: &sink) }
        }
    }

    /// The hash `forEach` gives a folded word (lower case, accents dropped).
    public static func hash(_ word: String) -> UInt64 { ByteTable.hash(word.utf8) }

    /// A word as the tokenizer hands it to a sink (its folded bytes and their hash), stemmed.
    @inline(__always)
    func token(_ folded: UnsafeBufferPointer<UInt8>, word: UInt64, start: Int, end: Int) -> StemmedToken {
        (stemHash(folded, word: word), word, start, end)
    }

    /// The stem of the word with this hash if the cache holds it (as `forEach` would stem it
    /// without stemming).
    @inline(__always)
    func cachedStem(_ hash: UInt64) -> UInt64? {
        let slot = Int(truncatingIfNeeded: (hash ^ (hash >> 29)) & UInt64(cache.count - 1))
        return cache[slot].word == hash && hash != 0 ? cache[slot].stem : nil
    }

    private func stemHash(_ word: UnsafeBufferPointer<UInt8>, word hash: UInt64) -> UInt64 {
        if let stem = cachedStem(hash) { return stem }
        let slot = Int(truncatingIfNeeded: (hash ^ (hash >> 29)) & UInt64(cache.count - 1))
        let stem = stemmer.map { s in s.stem(word) { ByteTable.hash($0) } } ?? hash
        cache[slot] = (hash, stem)
        return stem
    }
}
