import Testing
@testable import TopicQuery

@Suite struct TextTokenizerTests {
    private func words(_ s: String) -> [String] { TextTokenizer.tokens(s).map(\.text) }

    /// Real-world spellings of "facial recognition" that must all read the same.
    @Test(arguments: [
        "facial recognition", "Facial Recognition", "FACIAL RECOGNITION", "facial-recognition",
        "FACIAL\u{2011}RECOGNITION", "facial\u{00A0}recognition", "facial \u{2014} recognition", "facial\u{2013}recognition",
        "facial recog\u{00AD}nition", "facial recog\u{200B}nition", "fa\u{200D}cial recognition", "\u{FF26}\u{FF41}\u{FF43}\u{FF49}\u{FF41}\u{FF4C} recognition",
        "(facial) [recognition]", "facial/recognition", "facial_recognition", "  facial\n\trecognition. ",
    ])
    func messySpellings(text: String) {
        #expect(words(text) == ["facial", "recognition"], "\(text.debugDescription)")
    }

    @Test(arguments: [
        ("IBM’s", ["ibm"]), ("IBM's", ["ibm"]), ("IBMs", ["ibms"]), ("O’Brien", ["obrien"]), ("don't", ["dont"]),
        ("the police' cars", ["the", "police", "cars"]), ("Café", ["cafe"]), ("CAFÉ", ["cafe"]), ("cafe\u{301}", ["cafe"]),
        ("Straße", ["strasse"]), ("ﬁnance", ["finance"]), ("Ångström", ["angstrom"]), ("naïve résumé", ["naive", "resume"]),
        ("Москва", ["москва"]), ("2020 G7", ["2020", "g7"]), ("ΣΊΣΥΦΟΣ", ["σισυφοσ"]),
    ] as [(String, [String])])
    func foldingAndApostrophes(text: String, expected: [String]) {
        #expect(words(text) == expected)
    }

    @Test func cjkIsTokenizedPerIdeograph() {
        #expect(words("顔認証と警察") == ["顔", "認", "証", "と", "警", "察"])
        #expect(words("警察AI") == ["警", "察", "ai"])
    }

    @Test func offsetsAreUnicodeScalarsOfTheOriginal() {
        let tokens = TextTokenizer.tokens("Café’s recog\u{00AD}nition, ok")
        #expect(tokens.map(\.text) == ["cafe", "recognition", "ok"])
        #expect(tokens.map(\.start) == [0, 7, 21])
        #expect(tokens.map(\.end) == [4, 19, 23])
    }

    @Test func asciiFastPathAgreesWithICU() {
        for word in ["Police", "LAW", "enforcement", "G7", "x"] {
            #expect(TextTokenizer.fold(Array(word.utf8)) == word.lowercased())
        }
    }

    /// The per-letter Latin table must fold exactly as ICU folds the whole word, for every letter
    /// it covers, alone, between ASCII letters, and next to combining marks and other scripts.
    @Test func latinTableAgreesWithICU() {
        for v in UInt32(0x80)..<0x250 {
            guard let c = Unicode.Scalar(v), TextTokenizer.kind(of: c) == .word else { continue }
            for word in ["\(c)", "A\(c)b", "\(c)\(c)", "\(c)\u{301}", "\(c)д", "д\(c)", "x\u{301}\(c)"] {
                let expected = TextTokenizer.fold(Array(word.utf8))
                #expect(words(word) == [expected], "U+\(String(v, radix: 16)) in \(word.debugDescription)")
            }
        }
    }
}
