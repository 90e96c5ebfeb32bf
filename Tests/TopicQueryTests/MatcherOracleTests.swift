import Testing
import TestSupport
import FeedwatchCore
@testable import TopicQuery

/// TopicMatcher (one trie, candidate index) against a brute-force evaluator written independently:
/// on random queries and random items they must agree on every topic.
@Suite struct MatcherOracleTests {
    static let vocabulary = ["police", "policing", "facial", "recognition", "face", "city", "law", "enforcement", "ibm", "ban"]
    /// Inflected forms, for stemmed topics.
    static let inflected = vocabulary + ["policed", "polices", "recognitions", "faces", "cities", "banned", "bans", "laws"]

    /// A random query in the language, as text.
    static func randomQuery(_ rng: inout SplitMix64, depth: Int = 0, words: [String] = vocabulary) -> String {
        func word() -> String { words.randomElement(using: &rng)! }
        let choice = depth >= 3 ? Int.random(in: 0..<4, using: &rng) : Int.random(in: 0..<10, using: &rng)
        switch choice {
        case 0: return word()
        case 1: return "\"\(word()) \(word())\""
        case 2: return String(word().prefix(4)) + "*"
        case 3: return ["title", "summary"].randomElement(using: &rng)! + ":" + word()
        case 4: return "NOT " + randomQuery(&rng, depth: depth + 1, words: words)
        case 5: return "NOT NOT " + randomQuery(&rng, depth: depth + 1, words: words)
        case 6: return "\(word()) NEAR/\(Int.random(in: 1...3, using: &rng)) \(word())"
        case 7: return "(\(randomQuery(&rng, depth: depth + 1, words: words)) OR \(randomQuery(&rng, depth: depth + 1, words: words)))"
        default: return "(\(randomQuery(&rng, depth: depth + 1, words: words)) \(randomQuery(&rng, depth: depth + 1, words: words)))"
        }
    }

    /// Token lists of each field of an item.
    typealias Fields = [(QueryField, [String])]

    /// `stem`: compare whole words by it (a trailing prefix compares as written).
    static func occurrences(_ t: QueryTerm, _ fields: Fields, stem: (String) -> String) -> [(QueryField, Int, Int)] {
        let words = TextTokenizer.tokens(t.text).map(\.text)
        var found: [(QueryField, Int, Int)] = []
        for (field, tokens) in fields where t.field.map({ $0 == field }) ?? TopicMatcher.defaultFields.contains(field) {
            guard tokens.count >= words.count else { continue }
            for start in 0...(tokens.count - words.count) {
                let ok = words.indices.allSatisfy { k in
                    let last = k == words.count - 1
                    return t.isPrefix && last ? tokens[start + k].hasPrefix(words[k]) : stem(tokens[start + k]) == stem(words[k])
                }
                if ok { found.append((field, start, start + words.count - 1)) }
            }
        }
        return found
    }

    static func oracle(_ q: Query, _ fields: Fields, stem: (String) -> String = { $0 }) -> Bool {
        switch q {
        case .matchAll: return true
        case .term(let t): return !occurrences(t, fields, stem: stem).isEmpty
        case .near(let a, let b, let n):
            for x in occurrences(a, fields, stem: stem) {
                for y in occurrences(b, fields, stem: stem) where x.0 == y.0 && !(x.1 == y.1 && x.2 == y.2) {
                    let gap = x.2 < y.1 ? y.1 - x.2 - 1 : y.2 < x.1 ? x.1 - y.2 - 1 : 0
                    if gap <= n { return true }
                }
            }
            return false
        case .not(let e): return !oracle(e, fields, stem: stem)
        case .and(let es): return es.allSatisfy { oracle($0, fields, stem: stem) }
        case .or(let es): return es.contains { oracle($0, fields, stem: stem) }
        }
    }

    @Test func matcherAgreesWithBruteForce() throws {
        try agreeWithOracle(seed: 77, rounds: 40, words: Self.vocabulary, language: nil) { $0 }
    }

    /// The same with every topic stemmed in English, on inflected words; the oracle stems with
    /// libstemmer directly, word by word, without the matcher's cache or key tables.
    @Test func stemmedMatcherAgreesWithBruteForce() throws {
        let stemmer = try #require(Stemmer(language: "en"))
        try agreeWithOracle(seed: 78, rounds: 30, words: Self.inflected, language: "en", stem: stemmer.stem)
    }

    /// Random topics of `words` against random items of `words`: the matcher and the oracle must
    /// name the same topics for every item.
    private func agreeWithOracle(seed: UInt64, rounds: Int, words: [String], language: String?,
                                 stem: (String) -> String) throws {
        var rng = SplitMix64(seed: seed)
        for round in 0..<rounds {
            let queries = (0..<25).map { _ in Self.randomQuery(&rng, words: words) }
            let parsed = try queries.map { try QueryParser.parse($0) }
            let matcher = try TopicMatcher(topics: parsed.enumerated().map { Topic(name: "\($0.offset)", query: $0.element, language: language) })
            for _ in 0..<60 {
                func text() -> String {
                    (0..<Int.random(in: 0...8, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ")
                }
                let item = FeedItem(title: text(), summary: text())
                let fields: Fields = [(.title, TextTokenizer.tokens(item.title!).map(\.text)),
                                      (.summary, TextTokenizer.tokens(item.summary!).map(\.text))]
                let expected = parsed.indices.filter { Self.oracle(parsed[$0], fields, stem: stem) }.map { "\($0)" }
                let actual = matcher.classify(item).map(\.topic)
                #expect(actual == expected, "round \(round): \(item.title!) | \(item.summary!)")
                if actual != expected {
                    for i in Set(actual).symmetricDifference(expected) { print("differs on: \(queries[Int(i)!])") }
                    return
                }
            }
        }
    }

    @Test func doubleNegationAndOptionalPartsStillTrigger() throws {
        let m = try TopicMatcher(topics: [
            Topic(name: "nn", query: try QueryParser.parse("NOT NOT police")),
            Topic(name: "mixed", query: try QueryParser.parse("(ibm OR NOT NOT ban) AND city")),
            Topic(name: "and-not", query: try QueryParser.parse("police NOT city")),
        ])
        #expect(m.classify(FeedItem(title: "police")).map(\.topic) == ["nn", "and-not"])
        #expect(m.classify(FeedItem(title: "ban city")).map(\.topic) == ["mixed"])
        #expect(m.classify(FeedItem(title: "police city")).map(\.topic) == ["nn"])
    }
}
