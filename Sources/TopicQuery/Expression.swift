/// A topic's query with its terms replaced by pattern ids: what is evaluated per item.
indirect enum Expression {
    case all
    case term(Term)
    case near(Term, Term, within: Int)
    case not(Expression)
    case and([Expression])
    case or([Expression])

    struct Term {
        let pattern: Int
        let field: QueryField?
        /// As written in the query, to explain a match.
        let text: String

        @inline(__always)
        func accepts(_ hit: Hit) -> Bool {
            if let field { return hit.field == field }
            return hit.field != .feed  // the default fields: all but the feed's name
        }

        /// Whether the item has an occurrence in a field this term searches.
        func holds(in hits: Hits) -> Bool {
            var i = hits.first(pattern)
            while i >= 0 {
                if accepts(hits.records[Int(i)]) { return true }
                i = hits.records[Int(i)].next
            }
            return false
        }

        /// Those occurrences, in document order.
        func occurrences(in hits: Hits) -> [Hit] {
            var out: [Hit] = []
            var i = hits.first(pattern)
            while i >= 0 {
                let hit = hits.records[Int(i)]
                if accepts(hit) { out.append(hit) }
                i = hit.next
            }
            return out
        }

        func match(_ hit: Hit) -> TermMatch {
            TermMatch(term: text, field: hit.field, start: Int(hit.start), end: Int(hit.end), valueIndex: Int(hit.value))
        }
    }

    /// `language`: terms match by stem (all words but a prefix, which matches as written).
    init(_ query: Query, _ builder: inout PatternIndex.Builder, language: String?) throws {
        func compile(_ t: QueryTerm) throws -> Term {
            let tokens = TextTokenizer.tokens(t.text).map(\.text)
            guard !tokens.isEmpty else {
                throw QueryError("\"\(t.text)\" has no letters or digits to match", column: t.range.lowerBound + 1)
            }
            let written = t.kind == .phrase ? "\"\(t.text)\(t.isPrefix ? "*" : "")\"" : t.text + (t.isPrefix ? "*" : "")
            return Term(pattern: builder.add(tokens: tokens, prefix: t.isPrefix, language: language), field: t.field, text: written)
        }
        switch query {
        case .matchAll: self = .all
        case .term(let t): self = .term(try compile(t))
        case .near(let a, let b, let n): self = .near(try compile(a), try compile(b), within: n)
        case .not(let q): self = .not(try Expression(q, &builder, language: language))
        case .and(let qs): self = .and(try qs.map { try Expression($0, &builder, language: language) })
        case .or(let qs): self = .or(try qs.map { try Expression($0, &builder, language: language) })
        }
    }

    /// Patterns whose presence can make the expression true: those under an even number of NOTs.
    /// If the expression is false with no hits, it can only become true when one of these is found
    /// (a pattern under an odd number of NOTs can only make it false).
    var triggerPatterns: [Int] { patterns(positive: true) }

    private func patterns(positive: Bool) -> [Int] {
        switch self {
        case .all: return []
        case .term(let t): return positive ? [t.pattern] : []
        case .near(let a, let b, _): return positive ? [a.pattern, b.pattern] : []
        case .not(let e): return e.patterns(positive: !positive)
        case .and(let es), .or(let es): return es.flatMap { $0.patterns(positive: positive) }
        }
    }

    /// Whether the expression holds for an item in which no term was found (`*`, `NOT x`).
    var holdsWithoutHits: Bool { holds(Hits(patternCount: 0)) }

    /// Groups of trigger patterns, one of each of which must be found for the expression to hold:
    /// one group per AND-ed part that cannot hold without hits. Empty when no such part exists.
    var requiredTriggerGroups: [[Int]] {
        let parts: [Expression]
        if case .and(let es) = self { parts = es } else { parts = [self] }
        return parts.filter { !$0.holdsWithoutHits }.map { Array(Set($0.triggerPatterns)) }.filter { !$0.isEmpty }
    }

    /// Whether the item's hits satisfy the expression. Allocates nothing: most candidates fail.
    func holds(_ hits: Hits) -> Bool {
        switch self {
        case .all: return true
        case .term(let t): return t.holds(in: hits)
        case .near(let a, let b, let n): return !Self.pairs(a, b, n, hits, firstOnly: true).isEmpty
        case .not(let e): return !e.holds(hits)
        case .and(let es): return es.allSatisfy { $0.holds(hits) }
        case .or(let es): return es.contains { $0.holds(hits) }
        }
    }

    /// The matches that explain why the expression holds (call only when it does): every true
    /// branch of an OR, not just the first; nothing under a NOT. A term is shown once per field
    /// value, at its first occurrence there: that says why, and a word as common as "police" does
    /// not turn one alert into a list of every place it appears.
    func explain(_ hits: Hits, into matches: inout [TermMatch]) {
        switch self {
        case .all, .not: return
        case .term(let t):
            // A pattern's hits are chained in document order, field value by field value, so
            // "first in its value" is "not in the same value as the one before".
            var i = hits.first(t.pattern)
            var previous: (QueryField, Int32)?
            while i >= 0 {
                let hit = hits.records[Int(i)]
                if t.accepts(hit), previous.map({ $0 != (hit.field, hit.value) }) ?? true {
                    previous = (hit.field, hit.value)
                    matches.append(t.match(hit))
                }
                i = hit.next
            }
        case .near(let a, let b, let n):
            var previous: (QueryField, Int32)?
            for (x, y) in Self.pairs(a, b, n, hits, firstOnly: false) where previous.map({ $0 != (x.field, x.value) }) ?? true {
                previous = (x.field, x.value)
                matches.append(a.match(x))
                matches.append(b.match(y))
            }
        case .and(let es): for e in es { e.explain(hits, into: &matches) }
        case .or(let es): for e in es where e.holds(hits) { e.explain(hits, into: &matches) }
        }
    }

    /// Occurrences of `a` and `b` in one field value, at most `n` words apart.
    private static func pairs(_ a: Term, _ b: Term, _ n: Int, _ hits: Hits, firstOnly: Bool) -> [(Hit, Hit)] {
        guard a.holds(in: hits), b.holds(in: hits) else { return [] }
        var out: [(Hit, Hit)] = []
        for x in a.occurrences(in: hits) {
            // Two occurrences, not one read twice (`law NEAR/3 laws` stemmed, `police NEAR/3 polic*`).
            for y in b.occurrences(in: hits) where x.field == y.field && x.value == y.value
                && (x.first, x.last) != (y.first, y.last) && gap(x, y) <= n {
                out.append((x, y))
                if firstOnly { return out }
            }
        }
        return out
    }

    /// Words between two occurrences (0 when adjacent or overlapping).
    private static func gap(_ x: Hit, _ y: Hit) -> Int {
        if x.last < y.first { return Int(y.first - x.last - 1) }
        if y.last < x.first { return Int(x.first - y.last - 1) }
        return 0
    }
}
