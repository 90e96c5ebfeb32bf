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

/// The one normalizer that item text and query terms both go through, so that they meet on equal
/// terms: case-, accent- and compatibility-insensitive (ICU NFKC_Casefold, then accents dropped);
/// every dash, hyphen, space (NBSP included) and punctuation mark separates words; soft hyphens and
/// zero-width characters inside a word are ignored ("recog\u{AD}nition" is "recognition"); a
/// possessive `'s` / `’s` is dropped ("IBM’s" is "ibm"), other apostrophes join ("O’Brien" is
/// "obrien"); CJK ideographs and kana are one token each, so phrases still work without spaces.
///
/// ASCII words — most of the English news text this runs over — are lower-cased byte by byte;
/// only words with other characters go through ICU.
public enum TextTokenizer {
    public static func tokens(_ text: String) -> [TextToken] {
        var text = text
        return text.withUTF8 { tokens(utf8: $0) }
    }

    /// Works on the UTF-8 bytes: ASCII is classified by table and lower-cased while copied; only
    /// other characters are decoded and looked up.
    static func tokens(utf8 p: UnsafeBufferPointer<UInt8>) -> [TextToken] {
        var out: [TextToken] = []
        out.reserveCapacity(p.count / 6)
        var word: [UInt8] = []
        word.reserveCapacity(32)
        var wordStart = 0, wordEnd = 0
        var ascii = true

        func flush() {
            guard !word.isEmpty else { return }
            out.append(TextToken(text: ascii ? String(decoding: word, as: UTF8.self) : fold(word), start: wordStart, end: wordEnd))
            word.removeAll(keepingCapacity: true)
            ascii = true
        }

        var i = 0       // byte offset
        var index = 0   // scalar offset
        while i < p.count {
            let b = p[i]
            let (scalar, length) = b < 0x80 ? (Unicode.Scalar(b), 1) : Self.decode(p, at: i)
            switch b < 0x80 ? Self.asciiKinds[Int(b)] : kind(of: scalar) {
            case .word:
                if word.isEmpty { wordStart = index }
                if b < 0x80 {
                    word.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
                } else {
                    ascii = false
                    word.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<(i + length)]))
                }
                wordEnd = index + 1
            case .ignorable:
                break
            case .apostrophe:
                let next = i + length
                guard !word.isEmpty, next < p.count else { flush(); break }
                let (s1, l1) = p[next] < 0x80 ? (Unicode.Scalar(p[next]), 1) : Self.decode(p, at: next)
                guard kind(of: s1) == .word else { flush(); break }
                let afterS = next + l1
                let possessive = (s1 == "s" || s1 == "S")
                    && (afterS >= p.count || kind(of: p[afterS] < 0x80 ? Unicode.Scalar(p[afterS]) : Self.decode(p, at: afterS).0) != .word)
                if possessive {
                    flush()
                    i += l1  // skip the "s"
                    index += 1
                }
            case .ideograph:
                flush()
                wordStart = index
                word.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<(i + length)]))
                ascii = false
                wordEnd = index + 1
                flush()
            case .separator:
                flush()
            }
            i += length
            index += 1
        }
        flush()
        return out
    }

    private static let asciiKinds: [Kind] = (0..<128).map { kind(of: Unicode.Scalar(UInt8($0))) }

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

    /// ICU folding of one non-ASCII word.
    static func fold(_ bytes: [UInt8]) -> String {
        var capacity = bytes.count * 3 + 16
        while true {
            var out = [UInt8](repeating: 0, count: capacity)
            let n = bytes.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { fw_fold_utf8(input.baseAddress, Int32(input.count), $0.baseAddress, Int32(capacity)) }
            }
            if n >= 0 { return String(decoding: out[0..<Int(n)], as: UTF8.self) }
            if n == Int32.min { return String(decoding: bytes, as: UTF8.self).lowercased() }
            capacity = Int(-n) + 1
        }
    }
}
