import Testing
import FeedwatchCore
@testable import Stories
import TopicQuery

/// The words the topic matcher records for story grouping (`ItemWords`) are the words story
/// grouping would read itself: the same tokens, stems and offsets, and so the same stories.
@Suite struct ItemWordsTests {
    private func matcher(_ query: String = "*") throws -> TopicMatcher {
        try TopicMatcher(topics: [Topic(name: "t", query: QueryParser.parse(query))])
    }

    private func tokens(_ text: String, _ stems: WordStems) -> [StemmedToken] {
        var out: [StemmedToken] = []
        stems.forEachWord(text) { out.append(($0, $1, $2, $3)) }
        return out
    }

    private func same(_ a: [StemmedToken]?, _ b: [StemmedToken]?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
    }

    @Test func recordedTokensAreTheTokenizersOwn() throws {
        let m = try matcher()
        let stems = WordStems(language: "en")
        let words = ItemWords()
        let texts = ["Amazon’s Rekognition banned: police pause facial‑recognition pilots",
                     "São Paulo’s MÉTRO: reconhecimento facial — recog\u{AD}nition, O’Brien's 顔認識 ＦＵＬＬＷＩＤＴＨ ﬁle",
                     "", "   ", "IBM, EU and MH370 (U.S.) won't sell 2,000 cameras"]
        for title in texts {
            for summary in texts.reversed() {
                _ = m.classify(FeedItem(title: title, summary: summary), recording: words)
                // Tokenized first, so that the stemmer's cache holds every word.
                let (ownTitle, ownSummary) = (tokens(title, stems), tokens(summary, stems))
                #expect(same(words.title(stems), ownTitle), "title \(title)")
                #expect(same(words.summary(stems), ownSummary), "summary \(summary)")
            }
        }
        // A word the stemmer's cache lacks sends the caller back to the text (nothing is recorded
        // to stem it from); an empty text has no word to lack.
        _ = m.classify(FeedItem(title: "Zyxwvut pilots", summary: ""), recording: words)
        #expect(words.title(WordStems(language: "en")) == nil)
        #expect(words.summary(WordStems(language: "en"))?.isEmpty == true)
        // A field the item lacks records nothing (and nothing of the item before stays).
        _ = tokens("Clearview fined. A summary only", stems)
        _ = m.classify(FeedItem(title: "Clearview fined"), recording: words)
        #expect(words.summary(stems) == nil)
        #expect(words.title(stems)?.count == 2)
        _ = m.classify(FeedItem(summary: "A summary only"), recording: words)
        #expect(words.title(stems) == nil)
        #expect(words.summary(stems)?.count == 3)
    }

    /// Recording does not depend on whether the item matches: a topic that matches nothing still
    /// scans (and records) every field.
    @Test func recordsItemsThatMatchNothing() throws {
        let m = try matcher("\"no such phrase anywhere\"")
        let words = ItemWords()
        #expect(m.classify(FeedItem(title: "Police pause facial recognition", summary: "A moratorium"), recording: words).isEmpty)
        let stems = WordStems(language: "en")
        _ = tokens("Police pause facial recognition", stems)
        #expect(words.title(stems)?.map(\.start) == [0, 7, 13, 20])
    }

    /// Every labelled stream, in each arrival order, makes the same stories when the index reads
    /// the words the matcher recorded as when it tokenizes the texts itself.
    @Test func recordedWordsMakeTheSameStories() throws {
        var streams = [try Coverage.stream(), try June2020.load()]
        if DevStreams.available { streams += [try DevStreams.load("dense"), try DevStreams.load("sparse")] }
        for items in streams {
            for arrival in Arrival.allCases {
                let own = StreamReplay.stories(items, arrival: arrival, settings: .init())
                let recorded = StreamReplay.stories(items, arrival: arrival, settings: .init(), recordedBy: try matcher())
                #expect(own == recorded, "\(arrival)")
                // Not vacuous: the stream has stories of several items.
                #expect(Set(own).count < items.count)
            }
        }
    }
}
