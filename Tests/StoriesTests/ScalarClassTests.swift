import Testing
@testable import Stories

/// The ASCII shortcut must answer exactly as the Unicode property tables do, for every ASCII
/// scalar and for the non-ASCII ones names are made of (accented capitals, Greek, Cyrillic, CJK,
/// typographic quotes and spaces), so the names found do not change.
@Suite struct ScalarClassTests {
    @Test func agreesWithThePropertyTables() {
        let others: [UInt32] = [0x85, 0xA0, 0xAB, 0xC9, 0xE9, 0xDF, 0x391, 0x3B1, 0x410, 0x430, 0x2003, 0x2018, 0x2019, 0x201C, 0x201D,
                                0x2013, 0x2014, 0x3000, 0x4E2D, 0x1D400, 0x10FFFF]
        for value in Array(0..<0x80) + others {
            let s = Unicode.Scalar(value)!
            #expect(ScalarClass.isAlphabetic(s) == s.properties.isAlphabetic, "isAlphabetic U+\(String(value, radix: 16))")
            #expect(ScalarClass.isUppercase(s) == s.properties.isUppercase, "isUppercase U+\(String(value, radix: 16))")
            #expect(ScalarClass.isWhitespace(s) == s.properties.isWhitespace, "isWhitespace U+\(String(value, radix: 16))")
        }
    }
}
