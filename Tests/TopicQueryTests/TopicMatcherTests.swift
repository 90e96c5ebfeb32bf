import Testing
import TestSupport
import FeedwatchCore
import TopicQuery

@Suite struct TopicMatcherTests {
    static let contractTopics: [(String, String)] = [
        ("facial-recognition", "\"facial recognition\" OR \"face recognition\" OR \"face surveillance\""),
        ("police", "police OR policing OR \"law enforcement\""),
        ("police-face-surveillance",
         "(\"facial recognition\" OR \"face recognition\") AND (police OR \"law enforcement\") NOT \"face id\""),
    ]

    private func matcher(_ topics: [(String, String)], feeds: [String: [String]] = [:]) throws -> TopicMatcher {
        try TopicMatcher(topics: topics.map { Topic(name: $0.0, query: try QueryParser.parse($0.1), feeds: feeds[$0.0]) })
    }

    private func topics(_ m: TopicMatcher, _ item: FeedItem, feedName: String? = nil, feedURL: String? = nil) -> [String] {
        m.classify(item, feedName: feedName, feedURL: feedURL).map(\.topic)
    }

    @Test func theContractsTopics() throws {
        let m = try matcher(Self.contractTopics)
        #expect(topics(m, FeedItem(title: "Police expand FACIAL‑RECOGNITION pilot")) == ["facial-recognition", "police", "police-face-surveillance"])
        #expect(topics(m, FeedItem(title: "Apple’s Face ID and facial recognition", summary: "law enforcement wants in")) == ["facial-recognition", "police"])
        #expect(topics(m, FeedItem(title: "Council debates policing budget")) == ["police"])
        #expect(topics(m, FeedItem(title: "Nothing relevant", content: "face\u{00A0}recognition by law-enforcement")) == ["facial-recognition", "police", "police-face-surveillance"])
        #expect(topics(m, FeedItem(title: "Weather")) == [])
    }

    @Test func matchesSayWhichTermWhereAndAtWhichOffsets() throws {
        let m = try matcher(Self.contractTopics)
        let result = m.classify(FeedItem(title: "IBM", summary: "Police use facial recognition"))
        let police = try #require(result.first { $0.topic == "police" })
        #expect(police.matches == [TermMatch(term: "police", field: .summary, start: 0, end: 6)])
        let face = try #require(result.first { $0.topic == "facial-recognition" })
        #expect(face.matches == [TermMatch(term: "\"facial recognition\"", field: .summary, start: 11, end: 29)])
    }

    @Test func aTermIsShownOncePerFieldValueAtItsFirstOccurrence() throws {
        let m = try matcher([("p", "police OR polic*"), ("n", "police NEAR/2 chief")])
        let item = FeedItem(title: "Police, police", summary: "the police chief and the police", categories: ["Politics", "Police"])
        let result = m.classify(item)
        #expect(result[0].matches == [
            TermMatch(term: "police", field: .title, start: 0, end: 6),
            TermMatch(term: "police", field: .summary, start: 4, end: 10),
            TermMatch(term: "police", field: .category, start: 0, end: 6, valueIndex: 1),
            TermMatch(term: "polic*", field: .title, start: 0, end: 6),
            TermMatch(term: "polic*", field: .summary, start: 4, end: 10),
            TermMatch(term: "polic*", field: .category, start: 0, end: 6, valueIndex: 1),
        ])
        #expect(result[1].matches == [
            TermMatch(term: "police", field: .summary, start: 4, end: 10),
            TermMatch(term: "chief", field: .summary, start: 11, end: 16),
        ])
    }

    /// NEAR between groups: some term of each side within the distance of some term of the other.
    @Test func nearJoinsGroups() throws {
        let m = try matcher([("n", #"(IBM OR Amazon OR Microsoft) NEAR/8 (police OR "law enforcement")"#)])
        #expect(topics(m, FeedItem(title: "Amazon pauses police use of Rekognition")) == ["n"])
        #expect(topics(m, FeedItem(summary: "Law enforcement agencies will no longer get Microsoft's software")) == ["n"])
        #expect(topics(m, FeedItem(summary: "Microsoft posts earnings; separately, in another story entirely about something else, police arrest a man")) == [])
        #expect(topics(m, FeedItem(title: "Amazon", summary: "police")) == [], "different fields are never near")
        let result = m.classify(FeedItem(title: "IBM quits; law enforcement reacts"))
        #expect(result.first?.matches.map(\.term) == ["IBM", #""law enforcement""#])
    }

    @Test func aLanguageMatchesWordsByTheirStem() throws {
        let m = try TopicMatcher(topics: [
            Topic(name: "stemmed", query: try QueryParser.parse(#"police AND "facial recognition""#), language: "en"),
            Topic(name: "exact", query: try QueryParser.parse(#"police AND "facial recognition""#)),
            Topic(name: "prefix", query: try QueryParser.parse("surveil* AND title:protester"), language: "en"),
        ])
        func names(_ title: String, _ summary: String? = nil) -> [String] {
            m.classify(FeedItem(title: title, summary: summary)).map(\.topic)
        }
        #expect(names("Policing and facial recognition") == ["stemmed"])
        #expect(names("Police; facial recognitions", "policed") == ["stemmed"])
        #expect(names("Police use facial recognition") == ["stemmed", "exact"])
        #expect(names("Politics of facial recognition") == [])
        // A prefix stays a prefix of the word as written; a field prefix still restricts.
        #expect(names("Protesters", "surveillance cameras") == ["prefix"])
        #expect(names("Crowds", "surveillance cameras protesters") == [])
        // The match explains itself with the word as the item wrote it.
        let match = try #require(m.classify(FeedItem(title: "Policing facial recognitions")).first?.matches.first)
        #expect(match == TermMatch(term: "police", field: .title, start: 0, end: 8))
    }

    @Test func stemsAreCachedPerWordNotMixedUp() throws {
        let m = try TopicMatcher(topics: [Topic(name: "t", query: try QueryParser.parse("running"), language: "en")])
        // Many distinct words through the stem cache, then the ones that matter, repeatedly.
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let noise = (0..<50).map { _ in String((0..<6).map { _ in Character(Unicode.Scalar(UInt8(97 + rng.next() % 26))) }) }
            #expect(m.classify(FeedItem(title: noise.joined(separator: " "))).isEmpty)
            #expect(m.classify(FeedItem(title: "she ran")).isEmpty)
            #expect(m.classify(FeedItem(title: "she runs")).map(\.topic) == ["t"])
            #expect(m.classify(FeedItem(title: "they were running")).map(\.topic) == ["t"])
        }
    }

    @Test func unknownLanguagesAreRefused() {
        #expect(Topic.isSupported(language: "en"))
        #expect(Topic.isSupported(language: "german"))
        #expect(!Topic.isSupported(language: "klingon"))
        #expect(throws: TopicCompileError.self) {
            try TopicMatcher(topics: [Topic(name: "k", query: .matchAll, language: "klingon")])
        }
    }

    @Test func prefixesMatchWordsThatStartWithThem() throws {
        let m = try matcher([("p", "polic*"), ("fr", "\"facial recog*\"")])
        #expect(topics(m, FeedItem(title: "Policing and police")) == ["p"])
        #expect(topics(m, FeedItem(title: "Politics")) == [])
        #expect(topics(m, FeedItem(title: "facial recognizers")) == ["fr"])
        #expect(topics(m, FeedItem(title: "facial rec")) == [])
    }

    @Test func fieldPrefixesRestrictWhereATermCounts() throws {
        let m = try matcher([("t", "title:police"), ("a", "author:togoh"), ("c", "category:(ai OR \"computer vision\")"),
                             ("f", "feed:verge")])
        #expect(topics(m, FeedItem(title: "x", summary: "police")) == [])
        #expect(topics(m, FeedItem(title: "Police")) == ["t"])
        #expect(topics(m, FeedItem(title: "x", authors: ["Isabel Togoh"])) == ["a"])
        #expect(topics(m, FeedItem(title: "x", categories: ["Computer Vision"])) == ["c"])
        #expect(topics(m, FeedItem(title: "x"), feedName: "The Verge") == ["f"])
        // The feed title is not searched by terms without a field.
        let unfielded = try matcher([("v", "verge")])
        #expect(topics(unfielded, FeedItem(title: "x"), feedName: "The Verge") == [])
    }

    @Test func nearWorksInEitherOrderWithinItsDistance() throws {
        let m = try matcher([("n", "\"facial recognition\" NEAR/3 police")])
        #expect(topics(m, FeedItem(title: "facial recognition used by police")) == ["n"])
        #expect(topics(m, FeedItem(title: "police said facial recognition")) == ["n"])
        #expect(topics(m, FeedItem(title: "facial recognition is not used by the city police")) == [])
        #expect(topics(m, FeedItem(title: "facial recognition", summary: "police")) == [])
        // NEAR needs two occurrences, not one word that both sides match.
        let same = try matcher([("p", "police NEAR/3 polic*")])
        #expect(topics(same, FeedItem(title: "police")) == [])
        #expect(topics(same, FeedItem(title: "police policy")) == ["p"])
    }

    @Test func matchAllAndNegativeOnlyTopics() throws {
        let m = try matcher([("all", "*"), ("no-police", "NOT police")])
        #expect(topics(m, FeedItem(title: "Weather")) == ["all", "no-police"])
        #expect(topics(m, FeedItem(title: "Police")) == ["all"])
        #expect(m.classify(FeedItem(title: "x")).first?.matches == [])
    }

    @Test func topicsRestrictedToFeeds() throws {
        let m = try matcher([("p", "police")], feeds: ["p": ["The Verge", "https://x.example/feed"]])
        #expect(topics(m, FeedItem(title: "police"), feedName: "Other", feedURL: "https://other.example/") == [])
        #expect(topics(m, FeedItem(title: "police"), feedName: "The Verge", feedURL: "https://www.theverge.com/rss") == ["p"])
        #expect(topics(m, FeedItem(title: "police"), feedName: "unnamed", feedURL: "https://x.example/feed") == ["p"])
    }

    @Test func aTermWithNothingToMatchIsAConfigError() throws {
        #expect(throws: TopicCompileError(topic: "bad", error: QueryError("\"!!!\" has no letters or digits to match", column: 8))) {
            try TopicMatcher(topics: [Topic(name: "bad", query: try QueryParser.parse("police !!!"))])
        }
    }

    /// `A OR B` matches whatever `A` matches, on random items.
    @Test func orIsASupersetOfEachSide() throws {
        let vocabulary = ["police", "policing", "facial", "recognition", "face", "id", "law", "enforcement", "city", "the"]
        let queries = ["\"facial recognition\"", "polic* NOT city", "face NEAR/2 id", "law enforcement", "title:city"]
        var rng = SplitMix64(seed: 11)
        for a in queries {
            for b in queries where a != b {
                let m = try matcher([("a", a), ("a-or-b", "(\(a)) OR (\(b))")])
                for _ in 0..<100 {
                    let text = (0..<Int.random(in: 1...12, using: &rng)).map { _ in vocabulary.randomElement(using: &rng)! }
                    let item = FeedItem(title: text.prefix(4).joined(separator: " "), summary: text.joined(separator: " "))
                    let found = topics(m, item)
                    if found.contains("a") { #expect(found.contains("a-or-b"), "\(a) | \(b) | \(text)") }
                }
            }
        }
    }
}
