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

        func hits(in hits: Hits) -> [Hit] {
            hits.of(pattern).filter { hit in
                if let field { return hit.field == field }
                return TopicMatcher.defaultFields.contains(hit.field)
            }
        }
    }

    init(_ query: Query, _ builder: inout PatternTrie.Builder) throws {
        func compile(_ t: QueryTerm) throws -> Term {
            let tokens = TextTokenizer.tokens(t.text).map(\.text)
            guard !tokens.isEmpty else {
                throw QueryError("\"\(t.text)\" has no letters or digits to match", column: t.range.lowerBound + 1)
            }
            let written = t.kind == .phrase ? "\"\(t.text)\(t.isPrefix ? "*" : "")\"" : t.text + (t.isPrefix ? "*" : "")
            return Term(pattern: builder.add(tokens: tokens, prefix: t.isPrefix), field: t.field, text: written)
        }
        switch query {
        case .matchAll: self = .all
        case .term(let t): self = .term(try compile(t))
        case .near(let a, let b, let n): self = .near(try compile(a), try compile(b), within: n)
        case .not(let q): self = .not(try Expression(q, &builder))
        case .and(let qs): self = .and(try qs.map { try Expression($0, &builder) })
        case .or(let qs): self = .or(try qs.map { try Expression($0, &builder) })
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
    var holdsWithoutHits: Bool {
        var none: [TermMatch] = []
        return evaluate(Hits(), collect: false, into: &none)
    }

    /// Groups of trigger patterns, one of each of which must be found for the expression to hold:
    /// one group per AND-ed part that cannot hold without hits. Empty when no such part exists.
    var requiredTriggerGroups: [[Int]] {
        let parts: [Expression]
        if case .and(let es) = self { parts = es } else { parts = [self] }
        return parts.filter { !$0.holdsWithoutHits }.map { Array(Set($0.triggerPatterns)) }.filter { !$0.isEmpty }
    }

    /// Whether the item's hits satisfy the expression; with `collect`, appends the matches that
    /// explain it (every true branch of an OR, not just the first).
    func evaluate(_ hits: Hits, collect: Bool, into matches: inout [TermMatch]) -> Bool {
        switch self {
        case .all:
            return true
        case .term(let t):
            let found = t.hits(in: hits)
            if collect { matches += found.map { TermMatch(term: t.text, field: $0.field, start: $0.start, end: $0.end) } }
            return !found.isEmpty
        case .near(let a, let b, let n):
            let left = a.hits(in: hits), right = b.hits(in: hits)
            var pairs: [(Hit, Hit)] = []
            for x in left {
                for y in right where x.field == y.field && x != y && Self.gap(x, y) <= n { pairs.append((x, y)) }
            }
            if collect {
                for (x, y) in pairs {
                    matches.append(TermMatch(term: a.text, field: x.field, start: x.start, end: x.end))
                    matches.append(TermMatch(term: b.text, field: y.field, start: y.start, end: y.end))
                }
            }
            return !pairs.isEmpty
        case .not(let e):
            var ignored: [TermMatch] = []
            return !e.evaluate(hits, collect: false, into: &ignored)
        case .and(let es):
            var found: [TermMatch] = []
            for e in es where !e.evaluate(hits, collect: collect, into: &found) { return false }
            matches += found
            return true
        case .or(let es):
            var any = false
            for e in es where e.evaluate(hits, collect: collect, into: &matches) { any = true }
            return any
        }
    }

    /// Words between two occurrences (0 when adjacent or overlapping).
    private static func gap(_ x: Hit, _ y: Hit) -> Int {
        if x.last < y.first { return y.first - x.last - 1 }
        if y.last < x.first { return x.first - y.last - 1 }
        return 0
    }
}
