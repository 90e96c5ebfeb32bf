public import FeedwatchCore

/// A topic as the config defines it.
public struct Topic: Equatable, Sendable {
    public var name: String
    public var query: Query
    /// Feed names or URLs the topic is restricted to; `nil` for every feed.
    public var feeds: [String]?

    public init(name: String, query: Query, feeds: [String]? = nil) {
        self.name = name
        self.query = query
        self.feeds = feeds
    }
}

/// Why a topic matched: a term, the field it was found in, and where (Unicode scalar offsets
/// into that field's text; for authors and categories, into the one name that matched).
public struct TermMatch: Equatable, Sendable {
    public var term: String
    public var field: QueryField
    public var start: Int
    public var end: Int

    public init(term: String, field: QueryField, start: Int, end: Int) {
        self.term = term
        self.field = field
        self.start = start
        self.end = end
    }
}

/// A query term that can never match, found when compiling (for `check-config`).
public struct TopicCompileError: Error, Equatable, CustomStringConvertible {
    public var topic: String
    public var error: QueryError

    public init(topic: String, error: QueryError) {
        self.topic = topic
        self.error = error
    }

    public var description: String { "topic \"\(topic)\": \(error)" }
}

/// Classifies items against every topic at once. All terms of all topics are compiled into one
/// trie over normalized tokens, so the cost of an item grows with its length, not with the number
/// of topics. A topic's boolean tree is evaluated only when each of its AND-ed parts has had one
/// of its terms found (or when it can match without any, like `*` or `NOT x`): a word as common as
/// "police" in a thousand topics does not make a thousand candidates.
public final class TopicMatcher {
    /// Fields searched by terms without a field prefix.
    public static let defaultFields: [QueryField] = [.title, .summary, .content, .author, .category]

    private let topics: [Topic]
    private let expressions: [Expression]
    private let trie: PatternTrie
    /// For each pattern, the (topic, group bit) pairs it satisfies.
    private let groupsByPattern: [[(topic: Int, bit: UInt64)]]
    /// Per topic, the bits of all its required groups.
    private let requiredGroups: [UInt64]
    /// Topics evaluated for every item: those that hold without hits, or too complex to index.
    private let unconditional: [Int]

    public init(topics: [Topic]) throws {
        var builder = PatternTrie.Builder()
        var expressions: [Expression] = []
        for topic in topics {
            do {
                expressions.append(try Expression(topic.query, &builder))
            } catch let error as QueryError {
                throw TopicCompileError(topic: topic.name, error: error)
            }
        }
        var byPattern = [[(topic: Int, bit: UInt64)]](repeating: [], count: builder.patternCount)
        var required = [UInt64](repeating: 0, count: expressions.count)
        var unconditional: [Int] = []
        for (t, e) in expressions.enumerated() {
            var groups = e.holdsWithoutHits ? [] : e.requiredTriggerGroups
            if groups.count > 64 { groups = [Array(Set(groups.joined()))] }
            guard !groups.isEmpty else { unconditional.append(t); continue }
            for (g, patterns) in groups.enumerated() {
                for p in patterns { byPattern[p].append((t, 1 << UInt64(g))) }
                required[t] |= 1 << UInt64(g)
            }
        }
        self.topics = topics
        self.expressions = expressions
        self.trie = builder.build()
        self.groupsByPattern = byPattern
        self.requiredGroups = required
        self.unconditional = unconditional
    }

    /// Checks what only compiling finds (a term with no letters or digits to match), so a config
    /// reader can report it as it reports a syntax error.
    public static func validate(_ query: Query) throws(QueryError) {
        var builder = PatternTrie.Builder()
        do {
            _ = try Expression(query, &builder)
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError("\(error)", column: 1)
        }
    }

    /// The topics `item` matches, in config order, each with the term matches that explain it.
    /// `feedName` (the configured name, else the feed's title) is what `feed:` terms search;
    /// it and `feedURL` decide topics restricted to feeds.
    public func classify(_ item: FeedItem, feedName: String? = nil, feedURL: String? = nil)
        -> [(topic: String, matches: [TermMatch])] {
        var hits = Hits()
        func scan(_ text: String?, _ field: QueryField) {
            guard let text else { return }
            trie.scan(TextTokenizer.tokens(text), field: field, into: &hits)
        }
        scan(item.title, .title)
        scan(item.summary, .summary)
        scan(item.content, .content)
        for a in item.authors { scan(a, .author) }
        for c in item.categories { scan(c, .category) }
        scan(feedName, .feed)
        let feedIdentity = [feedName, feedURL].compactMap { $0 }

        var satisfied: [Int: UInt64] = [:]
        for p in hits.patterns {
            for (t, bit) in groupsByPattern[p] { satisfied[t, default: 0] |= bit }
        }
        var candidates = unconditional
        for (t, bits) in satisfied where bits == requiredGroups[t] { candidates.append(t) }
        var result: [(String, [TermMatch])] = []
        for t in candidates.sorted() {
            let topic = topics[t]
            if let feeds = topic.feeds, !feeds.contains(where: feedIdentity.contains) { continue }
            var matches: [TermMatch] = []
            if expressions[t].evaluate(hits, collect: true, into: &matches) { result.append((topic.name, matches)) }
        }
        return result
    }
}
