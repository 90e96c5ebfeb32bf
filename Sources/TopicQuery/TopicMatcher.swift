public import FeedwatchCore

/// A topic as the config defines it.
public struct Topic: Equatable, Sendable {
    public var name: String
    public var query: Query
    /// Feed names or URLs the topic is restricted to; `nil` for every feed.
    public var feeds: [String]?
    /// Match words by their stem in this language (`en`: `police` finds "policing"); `nil` for
    /// exact words.
    public var language: String?

    public init(name: String, query: Query, feeds: [String]? = nil, language: String? = nil) {
        self.name = name
        self.query = query
        self.feeds = feeds
        self.language = language
    }

    /// Whether `language` names a stemmer (ISO 639-1 codes such as `en`, or names such as `english`).
    public static func isSupported(language: String) -> Bool { Stemmer(language: language) != nil }

    /// The stemmer names, for error messages.
    public static var languages: [String] { Stemmer.languages }
}

/// Why a topic matched: a term, the field it was found in, and where (Unicode scalar offsets
/// into that field's text; for authors and categories, into the one name that matched).
public struct TermMatch: Equatable, Sendable {
    public var term: String
    public var field: QueryField
    public var start: Int
    public var end: Int
    /// Which of the item's authors or categories it was found in (0 for other fields).
    public var valueIndex: Int

    public init(term: String, field: QueryField, start: Int, end: Int, valueIndex: Int = 0) {
        self.term = term
        self.field = field
        self.start = start
        self.end = end
        self.valueIndex = valueIndex
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
/// trie over word keys, so the cost of an item grows with its length, not with the number of
/// topics. A topic's boolean tree is evaluated only when each of its AND-ed parts has had one
/// of its terms found (or when it can match without any, like `*` or `NOT x`): a word as common as
/// "police" in a thousand topics does not make a thousand candidates.
///
/// A matcher keeps scratch space so that classifying allocates almost nothing; it is therefore
/// not safe to share between threads: give each thread its own.
public final class TopicMatcher {
    /// Fields searched by terms without a field prefix.
    public static let defaultFields: [QueryField] = [.title, .summary, .content, .author, .category]

    /// Per topic, what classifying reads of it (not the whole `Topic`, whose copy would retain
    /// its query tree and strings for every candidate).
    private let names: [String]
    private let restrictions: [[String]?]
    private let expressions: [Expression]
    private let index: PatternIndex
    /// For each pattern `p`, the topics (and group bits) it satisfies:
    /// `groups[groupFrom[p]..<groupFrom[p + 1]]`.
    private let groupFrom: [Int32]
    private let groups: [(topic: Int32, bit: UInt64)]
    /// Per topic, the bits of all its required groups.
    private let requiredGroups: [UInt64]
    /// Topics evaluated for every item: those that hold without hits, or too complex to index.
    private let unconditional: [Int32]

    // Scratch, reused for every item.
    private let buffer = WordBuffer()
    private var tokens: TokenList
    private let hits: Hits
    /// Per topic, the groups satisfied in this item, valid when `stamp` is this item's epoch.
    private var satisfied: [(stamp: UInt32, bits: UInt64)]
    private var epoch: UInt32 = 0
    private var candidates: [Int32] = []

    public init(topics: [Topic]) throws {
        var builder = PatternIndex.Builder()
        var expressions: [Expression] = []
        for topic in topics {
            do {
                if let language = topic.language, !builder.use(language: language) {
                    throw QueryError("unknown language \"\(language)\" (known: \(Stemmer.languages.joined(separator: ", ")))", column: 1)
                }
                expressions.append(try Expression(topic.query, &builder, language: topic.language))
            } catch let error as QueryError {
                throw TopicCompileError(topic: topic.name, error: error)
            }
        }
        var byPattern = [[(topic: Int32, bit: UInt64)]](repeating: [], count: builder.patternCount)
        var required = [UInt64](repeating: 0, count: expressions.count)
        var unconditional: [Int32] = []
        for (t, e) in expressions.enumerated() {
            var groups = e.holdsWithoutHits ? [] : e.requiredTriggerGroups
            if groups.count > 64 { groups = [Array(Set(groups.joined()))] }
            guard !groups.isEmpty else { unconditional.append(Int32(t)); continue }
            for (g, patterns) in groups.enumerated() {
                for p in patterns { byPattern[p].append((Int32(t), 1 << UInt64(g))) }
                required[t] |= 1 << UInt64(g)
            }
        }
        var from: [Int32] = [0]
        for list in byPattern { from.append(from.last! + Int32(list.count)) }
        self.groupFrom = from
        self.groups = byPattern.flatMap { $0 }
        self.names = topics.map(\.name)
        self.restrictions = topics.map(\.feeds)
        self.expressions = expressions
        self.index = builder.build()
        self.tokens = TokenList(index: self.index)
        self.requiredGroups = required
        self.unconditional = unconditional
        self.hits = Hits(patternCount: builder.patternCount)
        self.satisfied = [(stamp: UInt32, bits: UInt64)](repeating: (0, 0), count: topics.count)
    }

    /// Checks what only compiling finds (a term with no letters or digits to match), so a config
    /// reader can report it as it reports a syntax error.
    public static func validate(_ query: Query) throws(QueryError) {
        var builder = PatternIndex.Builder()
        do {
            _ = try Expression(query, &builder, language: nil)
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError("\(error)", column: 1)
        }
    }

    /// The topics `item` matches, in config order, each with the term matches that explain it.
    /// `feedName` (the configured name, else the feed's title) is what `feed:` terms search;
    /// it and `feedURL` decide topics restricted to feeds. `recording`, if given, receives the
    /// title's and summary's words, stemmed, as this very tokenizing found them: story grouping
    /// then does not read the text again.
    public func classify(_ item: FeedItem, feedName: String? = nil, feedURL: String? = nil, recording words: ItemWords? = nil)
        -> [(topic: String, matches: [TermMatch])] {
        hits.reset()
        words?.reset()
        scan(item.title, .title, recording: words)
        scan(item.summary, .summary, recording: words)
        scan(item.content, .content)
        for (i, a) in item.authors.enumerated() { scan(a, .author, value: i) }
        for (i, c) in item.categories.enumerated() { scan(c, .category, value: i) }
        scan(feedName, .feed)

        epoch &+= 1
        if epoch == 0 {
            for i in satisfied.indices { satisfied[i].stamp = 0 }
            epoch = 1
        }
        candidates.removeAll(keepingCapacity: true)
        for p in hits.found {
            for g in Int(groupFrom[Int(p)])..<Int(groupFrom[Int(p) + 1]) {
                let (topic, bit) = groups[g]
                let t = Int(topic)
                if satisfied[t].stamp != epoch {
                    satisfied[t] = (epoch, 0)
                    candidates.append(topic)
                }
                satisfied[t].bits |= bit
            }
        }
        var result: [(topic: String, matches: [TermMatch])] = []
        guard !candidates.isEmpty || !unconditional.isEmpty else { return result }
        // Candidates whose every required group was found, in config order (reusing `candidates`).
        var kept = 0
        for t in candidates where satisfied[Int(t)].bits == requiredGroups[Int(t)] {
            candidates[kept] = t
            kept += 1
        }
        candidates.removeLast(candidates.count - kept)
        candidates += unconditional
        candidates.sort()
        for t in candidates {
            if let feeds = restrictions[Int(t)], !feeds.contains(where: { $0 == feedName || $0 == feedURL }) { continue }
            guard expressions[Int(t)].holds(hits) else { continue }
            var matches: [TermMatch] = []
            expressions[Int(t)].explain(hits, into: &matches)
            result.append((names[Int(t)], matches))
        }
        return result
    }

    private func scan(_ text: String?, _ field: QueryField, value: Int = 0, recording words: ItemWords? = nil) {
        guard var text else { return }
        tokens.reset()
        tokens.recorder = words
        text.withUTF8 { TextTokenizer.scan($0, buffer: buffer, into: &tokens) }
        tokens.recorder = nil
        words?.keep(as: field)
        if !tokens.keyed.isEmpty { index.scan(tokens, field: field, value: value, into: hits) }
    }
}
