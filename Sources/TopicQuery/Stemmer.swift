internal import CStemmer

/// A Snowball stemmer for one language, so that a topic with `language: en` finds "policing" for
/// `police`. libstemmer's stemmers keep state between calls: one per matcher, never shared.
final class Stemmer {
    let language: String
    private let stemmer: OpaquePointer
    /// The stems some term contains, and their keys (set by the matcher that owns this stemmer).
    var table = ByteTable()
    /// Recent words and their stems' keys, by the word's hash: news text repeats its words
    /// (Zipf), so most words are stemmed once per matcher, not once per occurrence.
    private var cache: [CacheEntry]
    private static let cacheSize = 1 << 16

    private struct CacheEntry {
        var hash: UInt64 = 0
        var length: Int32 = -1
        var key: Int32 = -1
    }

    /// `nil` when libstemmer has no stemmer by that name (ISO 639 codes such as `en`, `de`, `fr`
    /// work, as do names such as `english`).
    init?(language: String) {
        guard let s = sb_stemmer_new(language, nil) else { return nil }
        self.language = language
        self.stemmer = s
        self.cache = [CacheEntry](repeating: CacheEntry(), count: Self.cacheSize)
    }

    deinit { sb_stemmer_delete(stemmer) }

    /// The languages libstemmer knows, for error messages.
    static var languages: [String] {
        guard var p = sb_stemmer_list() else { return [] }
        var out: [String] = []
        while let name = p.pointee {
            out.append(String(cString: name))
            p += 1
        }
        return out
    }

    /// Hands the stem of a folded word to `body`.
    func stem<R>(_ word: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard let base = word.baseAddress, let out = sb_stemmer_stem(stemmer, base, Int32(word.count)) else {
            return body(word)
        }
        return body(UnsafeBufferPointer(start: out, count: Int(sb_stemmer_length(stemmer))))
    }

    func stem(_ word: String) -> String {
        var word = word
        return word.withUTF8 { stem($0) { String(decoding: $0, as: UTF8.self) } }
    }

    /// The key of the word's stem in `table`, stemming only on a cache miss.
    @inline(__always)
    func key(of word: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int32? {
        let slot = Int(truncatingIfNeeded: (hash ^ (hash >> 31)) & UInt64(Self.cacheSize - 1))
        let entry = cache[slot]
        if entry.hash == hash && Int(entry.length) == word.count { return entry.key >= 0 ? entry.key : nil }
        let key = stemKey(word)
        cache[slot] = CacheEntry(hash: hash, length: Int32(word.count), key: key)
        return key >= 0 ? key : nil
    }

    @inline(never)
    private func stemKey(_ word: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard let base = word.baseAddress, let out = sb_stemmer_stem(stemmer, base, Int32(word.count)) else { return -1 }
        let count = Int(sb_stemmer_length(stemmer))
        guard count > 0 else { return -1 }
        var h = ByteTable.seed
        for k in 0..<count { h = ByteTable.step(h, out[k]) }
        return table.find(out, count, hash: h) ?? -1
    }
}
