import Foundation
import FeedwatchCore
import Testing

/// The alert record's reader: what JSON says, read as JSON says it (escapes, surrogate pairs,
/// numbers as written), and what is not JSON refused with where — checked against Foundation's
/// own parser on the same texts, and by round trips of alerts with awkward text through the codec.
@Suite struct JSONReaderTests {
    @Test func readsWhatJSONSays() throws {
        let v = try JSONReader.read(#" {"a": [1, -2.5e3, true, false, null], "s": "q\"b\\s\/\b\f\n\r\t\u00e9\ud83d\ude00x", "o": {}} "#)
        #expect(v["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(v["s"] == .string("q\"b\\s/\u{8}\u{C}\n\r\té😀x"))
        #expect(v["o"] == .object([]))
        #expect(try JSONReader.read(#"{"k":1,"k":2}"#)["k"] == .number("2"))  // the last of a key written twice
        #expect(try JSONReader.read(#""plain ünïcödé""#) == .string("plain ünïcödé"))
    }

    /// Every text here is accepted by both or refused by both, and what both accept reads the same.
    @Test func agreesWithFoundationOnWhatIsJSON() throws {
        let texts = [
            "{}", "[]", "0", "-0", "1.5", "1e5", "1E+5", "1e-5", "\"\"", "null", "true", " [ 1 , 2 ] ",
            "{\"a\":\"\\u0041\"}", "[\"\\ud834\\udd1e\"]",
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "+1", "1e", "tru", "nul", "[1 2]", "{\"a\" 1}",
            "{1:2}", "\"a", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"tab\there\"", "[1]x", "{}{}", "[,]", "[1,,]", "{,}", "{\"a\":1,,}",
            "'a'", "[NaN]", "[Infinity]", "{\"a\":[}", String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        ]
        for text in texts {
            let foundation = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            let ours = try? JSONReader.read(text)
            let deep = text.hasPrefix("[[[[")  // ours refuses nesting beyond 64 on purpose
            #expect((foundation != nil) == (ours != nil) || deep, "\(text): Foundation \(foundation != nil), ours \(ours != nil)")
            if case .string(let s)? = ours { #expect(foundation as? String == s) }
        }
        #expect(throws: JSONReadError.self) { try JSONReader.read(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)) }
    }

    @Test func saysWhereItStopped() {
        #expect(throws: JSONReadError.self) { try JSONReader.read(#"{"a":1,,}"#) }
        #expect(throws: JSONReadError.self) { try JSONReader.read("[,]") }
        do {
            _ = try JSONReader.read(#"{"a":tru}"#)
            Issue.record("read a bare word")
        } catch {
            #expect(error.description == "expected a value at byte 5")
        }
    }

    /// Alerts whose text holds every kind of character a feed may carry come back as they went.
    @Test func alertsWithAwkwardTextRoundTrip() throws {
        let t = Timestamp(secondsSince1970: 1_800_000_000)
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "😀", "\u{2028}", " ", "</script>", "{", "]"]
        for _ in 0..<300 {
            func text() -> String { (0..<Int.random(in: 0..<12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() }
            let alert = Alert(id: "fw_" + text(), emittedAt: t, matches: [(text(), [Alert.Match(term: text(), field: "title")])],
                              feed: Alert.Feed(url: "https://a.example/" + text(), title: Bool.random(using: &rng) ? text() : nil),
                              item: Alert.Item(id: text(), title: text(), link: nil, published: Bool.random(using: &rng) ? t : nil,
                                               summary: text(), authors: [text(), text()]),
                              story: Bool.random(using: &rng) ? nil : Alert.Story(id: text(), size: Int.random(in: 1...9_999, using: &rng),
                                                                                 firstSeen: t, first: Alert.Story.First(outlet: text(), published: t)))
            let back = try AlertCodec.decode(alert.record)
            #expect(back == alert && back.item == alert.item && back.story == alert.story && back.feed == alert.feed)
            #expect(back.matches.map(\.topic) == alert.matches.map(\.topic) && back.matches.map(\.matches) == alert.matches.map(\.matches))
        }
    }
}
