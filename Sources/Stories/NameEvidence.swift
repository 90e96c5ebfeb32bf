/// Which words of a text name someone or something — an organisation, a person, a place, a
/// product — told from their capitals, which folding removes: two items about IBM and Amazon
/// share the words of the event ("facial recognition", "police", "moratorium") but not the names,
/// and the names are what make them two stories.
///
/// A capital means a name only where ordinary words are not capitalised: inside a sentence of a
/// sentence-case text. Headlines are often in title case ("Amazon Pauses Police Use Of Its Software")
/// and every sentence starts with a capital, so there the stream decides: a word is a name if the
/// stream has seen it capitalised inside sentence-case text more often than in lower case. An
/// acronym ("IBM", "EU", "MH370") is a name anywhere but in a text in capitals throughout.
struct NameEvidence {
    /// Per stem: how often it was seen capitalised inside a sentence of sentence-case text, and
    /// how often in lower case anywhere.
    private var seen = KeyMap<Seen>()

    private struct Seen: Vacant {
        var capital: Float = 0
        var lower: Float = 0
        static var vacant: Seen { Seen() }
    }

    var count: Int { seen.count }

    private struct Word {
        var stem: UInt64
        var capital: Bool
        var acronym: Bool
        var initial: Bool
    }

    /// A word of the text as `WordStems.forEachWord` gives it: its stem, its folded word's hash,
    /// and where it is (in Unicode scalars).
    typealias Token = (stem: UInt64, word: UInt64, start: Int, end: Int)

    /// The stems of the names in `text`, in text order, each once; learns from the text first (a
    /// name introduced in this very item in sentence case is known when its title-case repeats come).
    /// `tokens`: the text as `WordStems.forEachWord` read it — story grouping reads each text once,
    /// for its words and its names (a second pass of the tokenizer and stemmer here was a tenth
    /// of a cycle in which every item matches).
    mutating func names(in text: String, tokens: [Token]) -> [UInt64] {
        // One decoding pass (`Array(text.unicodeScalars)` counted the scalars first, then copied).
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        for s in text.unicodeScalars { scalars.append(s) }
        var words: [Word] = []
        for (stem, word, start, end) in tokens {
            guard !StopWords.contains(word), start < end, end <= scalars.count, ScalarClass.isAlphabetic(scalars[start]) else { continue }
            var letters = 0, upper = 0
            for s in scalars[start..<end] where ScalarClass.isAlphabetic(s) {
                letters += 1
                if ScalarClass.isUppercase(s) { upper += 1 }
            }
            words.append(Word(stem: stem, capital: ScalarClass.isUppercase(scalars[start]), acronym: letters >= 2 && upper == letters,
                              initial: Self.startsSentence(scalars, at: start)))
        }
        guard !words.isEmpty else { return [] }
        let inside = words.filter { !$0.initial }
        let shouting = words.count >= 3 && words.allSatisfy(\.acronym)
        // Title case: most words inside sentences capitalised.
        let titleCase = shouting || (inside.count >= 2 && inside.count { $0.capital } * 2 > inside.count)
        for w in words {
            if !w.capital {
                seen.modify(w.stem, default: Seen()) { $0.lower += 1 }
            } else if !titleCase && !w.initial {
                seen.modify(w.stem, default: Seen()) { $0.capital += 1 }
            }
        }
        var names: [UInt64] = []
        for w in words where w.capital && !names.contains(w.stem) {
            let known = seen[w.stem].map { $0.capital > $0.lower } ?? false
            if (w.acronym && !shouting) || (!titleCase && !w.initial) || known { names.append(w.stem) }
        }
        return names
    }

    /// Whether the word at `start` begins a sentence (or the text): only white space, quotes or
    /// brackets between it and a full stop, question or exclamation mark, or a colon.
    private static func startsSentence(_ scalars: [Unicode.Scalar], at start: Int) -> Bool {
        var i = start - 1
        while i >= 0 {
            let s = scalars[i]
            if ScalarClass.isWhitespace(s) || opens(s) { i -= 1; continue }
            if s == "." { return !abbreviation(scalars, before: i) }
            return endsClause(s)
        }
        return true
    }

    /// Quotes and brackets that may stand before a sentence's first word. (A `switch`, not
    /// `"…".unicodeScalars.contains`, which decoded the string for every word of every item.)
    @inline(__always) private static func opens(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "\"", "'", "‘", "’", "“", "”", "(", "[", "«": true
        default: false
        }
    }

    /// Marks after which a word begins a sentence (a full stop aside: abbreviations).
    @inline(__always) private static func endsClause(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "!", "?", ":", ";", "|", "–", "—": true
        default: false
        }
    }

    /// Whether the full stop at `dot` ends a short capitalised abbreviation ("Mt.", "Dr.", "U.S."):
    /// then the next word is inside the sentence ("Mt. Gox", "Dr. Fauci").
    private static func abbreviation(_ scalars: [Unicode.Scalar], before dot: Int) -> Bool {
        var start = dot
        while start > 0, ScalarClass.isAlphabetic(scalars[start - 1]) || scalars[start - 1] == "." { start -= 1 }
        let word = scalars[start..<dot].filter { $0 != "." }
        return (1...3).contains(word.count) && ScalarClass.isUppercase(word.first!)
    }
}
