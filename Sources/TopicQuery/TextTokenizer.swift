internal import CTextFold

/// One normalized word, and where it stands in the original text (Unicode scalar offsets, as
/// `classify` reports matches).
public struct TextToken: Equatable, Sendable {
    public var text: String
    public var start: Int
    public var end: Int

    public init(text: String, start: Int, end: Int) {
        self.text = text
        self.start = start
        self.end = end
    }
}

/// Receives the words of a text as the tokenizer finds them: folded UTF-8 bytes and the hash of
/// each of their prefixes (`hashes[k]` covers bytes `0...k`, as `ByteTable` hashes), valid only
/// during the call, and scalar offsets into the original.
protocol TokenSink {
    mutating func word(_ folded: UnsafeBufferPointer<UInt8>, hashes: UnsafePointer<UInt64>, start: Int, end: Int)
}

/// The one normalizer that item text and query terms both go through, so that they meet on equal
/// terms: case-, accent- and compatibility-insensitive (ICU NFKC_Casefold, then accents dropped);
/// every dash, hyphen, space (NBSP included) and punctuation mark separates words; soft hyphens and
/// zero-width characters inside a word are ignored ("recog\u{AD}nition" is "recognition"); a
/// possessive `'s` / `’s` is dropped ("IBM’s" is "ibm"), other apostrophes join ("O’Brien" is
/// "obrien"); CJK ideographs and kana are one token each, so phrases still work without spaces.
///
/// It runs over the UTF-8 bytes and hands each word to a sink without making a String: ASCII —
/// most of the English news text this runs over — is classified by table and lower-cased while
/// copied; only words with other characters are decoded and folded by ICU.
public enum TextTokenizer {
    public static func tokens(_ text: String) -> [TextToken] {
        struct Collect: TokenSink {
            var out: [TextToken] = []
            mutating func word(_ folded: UnsafeBufferPointer<UInt8>, hashes: UnsafePointer<UInt64>, start: Int, end: Int) {
                out.append(TextToken(text: String(decoding: folded, as: UTF8.self), start: start, end: end))
            }
        }
        var sink = Collect()
        let buffer = WordBuffer()
        var text = text
        text.withUTF8 { scan($0, buffer: buffer, into: &sink) }
        return sink.out
    }

    /// Splits `p` into words for `sink`; `buffer` is scratch space, reused across calls.
    static func scan<Sink: TokenSink>(_ p: UnsafeBufferPointer<UInt8>, buffer: WordBuffer, into sink: inout Sink) {
        // No word is longer than the text (a folded Latin letter is at most as long as the UTF-8
        // it replaces): with room for all of it, copying needs no checks.
        let (word, hashes) = buffer.reserve(p.count)
        let latin = latinFolds
        asciiKinds.withUnsafeBufferPointer { table in
            var length = 0              // bytes of the word so far
            var h = ByteTable.seed      // hash of those bytes
            var wordStart = 0, wordEnd = 0
            var plain = true  // ASCII and table-folded letters only: no ICU call needed, hashes valid

            @inline(__always) func put(_ b: UInt8) {
                word[length] = b
                h = ByteTable.step(h, b)
                hashes[length] = h
                length += 1
            }

            @inline(__always) func flush() {
                guard length > 0 else { return }
                if plain {
                    sink.word(UnsafeBufferPointer(start: word, count: length), hashes: hashes, start: wordStart, end: wordEnd)
                } else {
                    buffer.fold(length) { sink.word($0, hashes: $1, start: wordStart, end: wordEnd) }
                }
                length = 0
                h = ByteTable.seed
                plain = true
            }

            var i = 0       // byte offset
            var index = 0   // scalar offset
            while i < p.count {
                let b = p[i]
                if b < 0x80 {
                    switch table[Int(b)] {
                    case 1:
                        // A run of ASCII letters and digits: the common case, in a tight loop.
                        if length == 0 { wordStart = index }
                        var c = b
                        repeat {
                            put(c &- 0x41 < 26 ? c | 0x20 : c)
                            i += 1
                            index += 1
                            guard i < p.count else { break }
                            c = p[i]
                        } while c < 0x80 && table[Int(c)] == 1
                        wordEnd = index
                        continue
                    case 2:  // apostrophe
                        if possessive(p, after: i + 1, length) {
                            flush()
                            i += 1  // skip the "s"
                            index += 1
                        } else if length > 0, i + 1 < p.count, kind(p, at: i + 1) != .word {
                            flush()
                        }
                    default:
                        flush()
                    }
                    i += 1
                    index += 1
                    continue
                }
                let (scalar, n) = decode(p, at: i)
                switch kind(of: scalar) {
                case .word:
                    if length == 0 { wordStart = index }
                    if scalar.value < latinLimit, let folded = latin[Int(scalar.value) - 0x80] {
                        // Latin letters (é, ß, ø, ł…) fold alone, as ICU would fold them in the word.
                        for f in folded { put(f) }
                    } else {
                        plain = false
                        for k in 0..<n { put(p[i + k]) }
                    }
                    wordEnd = index + 1
                case .ignorable:
                    break
                case .apostrophe:
                    if possessive(p, after: i + n, length) {
                        flush()
                        i += 1
                        index += 1
                    } else if length > 0, i + n < p.count, kind(p, at: i + n) != .word {
                        flush()
                    }
                case .ideograph:
                    flush()
                    wordStart = index
                    for k in 0..<n { put(p[i + k]) }
                    plain = false
                    wordEnd = index + 1
                    flush()
                case .separator:
                    flush()
                }
                i += n
                index += 1
            }
            flush()
        }
    }

    /// Scalars below this (from U+0080) may have a precomputed folding in `latinFolds`.
    private static let latinLimit: UInt32 = 0x250

    /// ICU's folding of each letter of Latin-1 Supplement and Latin Extended-A/B, computed once:
    /// these letters fold the same alone as inside a word (they are not combining marks, and
    /// folding is idempotent), so words of European languages need no ICU call per word.
    /// `nil` for non-letters and for letters whose folding is longer than their UTF-8.
    private static let latinFolds: [[UInt8]?] = (UInt32(0x80)..<latinLimit).map { v in
        guard let scalar = Unicode.Scalar(v), kind(of: scalar) == .word else { return nil }
        let utf8 = Array(String(scalar).utf8)
        let folded = Array(fold(utf8).utf8)
        return folded.count <= utf8.count && !folded.isEmpty ? folded : nil
    }

    /// Whether an apostrophe ends a possessive: a word before it, then `s` and no more letters.
    @inline(__always)
    private static func possessive(_ p: UnsafeBufferPointer<UInt8>, after next: Int, _ length: Int) -> Bool {
        guard length > 0, next < p.count, p[next] == 0x73 || p[next] == 0x53 else { return false }
        return next + 1 >= p.count || kind(p, at: next + 1) != .word
    }

    /// 1 word, 2 apostrophe, 0 separator, per ASCII byte.
    private static let asciiKinds: [UInt8] = (0..<128).map { b in
        switch kind(of: Unicode.Scalar(UInt8(b))) {
        case .word: 1
        case .apostrophe: 2
        default: 0
        }
    }

    private static func kind(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Kind {
        p[i] < 0x80 ? kind(of: Unicode.Scalar(p[i])) : kind(of: decode(p, at: i).0)
    }

    /// The scalar starting at `i` in valid UTF-8, and its length in bytes.
    @inline(__always)
    private static func decode(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar, Int) {
        let b = UInt32(p[i])
        let (length, initial): (Int, UInt32) = b >= 0xF0 ? (4, b & 0x07) : b >= 0xE0 ? (3, b & 0x0F) : (2, b & 0x1F)
        guard i + length <= p.count else { return ("\u{FFFD}", 1) }
        var v = initial
        for k in 1..<length { v = v << 6 | UInt32(p[i + k] & 0x3F) }
        return (Unicode.Scalar(v) ?? "\u{FFFD}", length)
    }

    enum Kind { case word, ignorable, apostrophe, ideograph, separator }

    static func kind(of s: Unicode.Scalar) -> Kind {
        let v = s.value
        if v < 0x80 {
            if (0x61...0x7A).contains(v) || (0x41...0x5A).contains(v) || (0x30...0x39).contains(v) { return .word }
            return v == 0x27 ? .apostrophe : .separator
        }
        switch v {
        case 0xAD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF: return .ignorable
        case 0x2019, 0x02BC: return .apostrophe
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FFFF: return .ideograph
        default: break
        }
        let p = s.properties
        if p.isAlphabetic || p.numericType != nil { return .word }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return .word  // accents stay with their letter
        default: return .separator
        }
    }

    /// ICU folding of one non-ASCII word (for tests and query terms).
    static func fold(_ bytes: [UInt8]) -> String {
        let buffer = WordBuffer()
        let (word, _) = buffer.reserve(bytes.count)
        for (k, b) in bytes.enumerated() { word[k] = b }
        var out = ""
        buffer.fold(bytes.count) { folded, _ in out = String(decoding: folded, as: UTF8.self) }
        return out
    }
}

/// Scratch bytes for the word being read, the hashes of its prefixes, and room for its ICU
/// folding; one per matcher, reused for every word so that tokenizing allocates nothing.
final class WordBuffer {
    private var bytes: UnsafeMutablePointer<UInt8>
    private var hashes: UnsafeMutablePointer<UInt64>
    private var capacity = 0
    private var folded: UnsafeMutablePointer<UInt8>
    private var foldedHashes: UnsafeMutablePointer<UInt64>
    private var foldedCapacity = 0

    init() {
        bytes = .allocate(capacity: 1)
        hashes = .allocate(capacity: 1)
        folded = .allocate(capacity: 1)
        foldedHashes = .allocate(capacity: 1)
        _ = reserve(16_384)  // most field values fit: growing means a malloc in the hot path
        reserveFolded(1_024)
    }

    deinit {
        bytes.deallocate()
        hashes.deallocate()
        folded.deallocate()
        foldedHashes.deallocate()
    }

    /// Room for a word of `count` bytes and its prefix hashes; what the buffer held is gone.
    func reserve(_ count: Int) -> (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt64>) {
        if count > capacity {
            bytes.deallocate()
            hashes.deallocate()
            capacity = max(count, capacity * 2)  // geometric: a long text grows it a few times, not per item
            bytes = .allocate(capacity: capacity)
            hashes = .allocate(capacity: capacity)
        }
        return (bytes, hashes)
    }

    private func reserveFolded(_ count: Int) {
        folded.deallocate()
        foldedHashes.deallocate()
        foldedCapacity = count
        folded = .allocate(capacity: count)
        foldedHashes = .allocate(capacity: count)
    }

    /// Folds the first `length` bytes of the word with ICU and hands the result and its prefix
    /// hashes to `body`; on an ICU error the word is passed as it is.
    func fold(_ length: Int, _ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<UInt64>) -> Void) {
        while true {
            let n = fw_fold_utf8(bytes, Int32(length), folded, Int32(foldedCapacity))
            if n >= 0 || n == Int32.min {
                let (out, count) = n >= 0 ? (folded, Int(n)) : (bytes, length)
                var h = ByteTable.seed
                for k in 0..<count {
                    h = ByteTable.step(h, out[k])
                    foldedHashes[k] = h
                }
                return body(UnsafeBufferPointer(start: out, count: count), foldedHashes)
            }
            reserveFolded(max(Int(-n) + 16, length))
        }
    }
}
