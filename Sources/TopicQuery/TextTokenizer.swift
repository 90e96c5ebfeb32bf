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
        var out: [TextToken] = []
        var word: [UInt8] = []
        var wordStart = 0, wordEnd = 0
        var ascii = true
        let scalars = Array(text.unicodeScalars)

        func flush() {
            guard !word.isEmpty else { return }
            out.append(TextToken(text: ascii ? lowercasedASCII(word) : fold(word), start: wordStart, end: wordEnd))
            word.removeAll(keepingCapacity: true)
            ascii = true
        }
        func append(_ s: Unicode.Scalar, at i: Int) {
            if word.isEmpty { wordStart = i }
            if s.value >= 0x80 { ascii = false }
            word.append(contentsOf: UTF8.encode(s)!)
            wordEnd = i + 1
        }

        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            switch kind(of: s) {
            case .word:
                append(s, at: i)
            case .ignorable:
                break
            case .apostrophe:
                guard !word.isEmpty, i + 1 < scalars.count, kind(of: scalars[i + 1]) == .word else { flush(); break }
                let possessive = (scalars[i + 1] == "s" || scalars[i + 1] == "S")
                    && (i + 2 >= scalars.count || kind(of: scalars[i + 2]) != .word)
                if possessive {
                    flush()
                    i += 1  // skip the "s"
                }
            case .ideograph:
                flush()
                append(s, at: i)
                flush()
            case .separator:
                flush()
            }
            i += 1
        }
        flush()
        return out
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

    private static func lowercasedASCII(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
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
