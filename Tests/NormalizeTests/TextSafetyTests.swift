import Testing
import Normalize

/// What `TextAccumulator` does so that feed text is safe to print, and bounded while collected.
@Suite struct TextSafetyTests {
    @Test(arguments: [
        ("a\u{0}b", "a b"),                      // NUL
        ("a\u{1B}[2Jb", "a [2Jb"),               // ESC
        ("a\u{7}\u{8}b", "a b"),                 // BEL, BS: one run of "white space"
        ("a\u{7F}b", "a b"),                     // DEL
        ("a\u{9B}2Jb", "a 2Jb"),                 // C1 CSI
        ("a\u{80}\u{9F}b", "a b"),               // the ends of C1
        ("\u{1B}]0;title\u{7}", "]0;title"),     // an xterm title sequence, leading and trailing
        ("a\u{202E}gpj.exe", "agpj.exe"),        // RIGHT-TO-LEFT OVERRIDE dropped, not a space
        ("\u{202A}x\u{202B}y\u{202C}z\u{202D}", "xyz"),
        ("\u{2066}x\u{2067}y\u{2068}z\u{2069}", "xyz"),
        ("a\u{200F}b", "a\u{200F}b"),            // a mark stays: it cannot reorder what follows
        ("caf\u{E9} \u{A0} ok", "caf\u{E9} ok"),
    ])
    func controlCharactersBecomeSpacesAndBidiControlsGo(input: String, expected: String) {
        #expect(TextAccumulator.collapse(input) == expected)
    }

    @Test func verbatimTextIsTrimmedAndNeutralisedButNotCollapsed() {
        #expect(TextAccumulator.verbatim("  tag:a\u{1B}b  c\u{202E}d ") == "tag:a b  cd")
        #expect(TextAccumulator.verbatim(" \u{7F}\u{85} ") == nil)
    }

    @Test func theLimitCutsAtAScalarBoundaryAndStopsGrowing() {
        var acc = TextAccumulator(limit: 5)
        acc.append("ab")
        #expect(!acc.truncated)
        acc.append("cdéfgh")
        #expect(acc.truncated)
        #expect(acc.string == "abcdé")
        acc.append(String(repeating: "x", count: 10_000))
        #expect(acc.bytes.count == 6)
    }

    @Test func theLimitCountsScalarsNotBytes() {
        var acc = TextAccumulator(limit: 3)
        acc.append("日本")
        acc.append("語")
        #expect(!acc.truncated)
        #expect(acc.string == "日本語")
        acc.append("!")
        #expect(acc.truncated)
        #expect(acc.string == "日本語")
    }

    @Test func aCutDoesNotEndInASpace() {
        let cut = TextAccumulator.collapse("one two three", limit: 4)
        #expect(cut.text == "one" && cut.truncated)
        let whole = TextAccumulator.collapse("one two", limit: 7)
        #expect(whole.text == "one two" && !whole.truncated)
        let spaced = TextAccumulator.collapse("one   two", limit: 4)
        #expect(spaced.text == "one" && spaced.truncated)
    }
}
