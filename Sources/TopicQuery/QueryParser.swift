/// Parses the topic query language:
///
///     query   := "*" | or
///     or      := and ("OR" and)*
///     and     := unary (["AND"] unary)*          adjacent terms are joined by AND
///     unary   := "NOT" unary | near
///     near    := primary ["NEAR/n" primary]      each side a term, a phrase or an OR of them
///     primary := "(" or ")" | field ":" primary | word | "phrase"
///
/// so `NOT` binds tighter than `AND`, which binds tighter than `OR`. A field prefix on a group
/// (`title:(police OR sheriff)`) applies to every term in it.
public enum QueryParser {
    public static func parse(_ query: String) throws -> Query {
        let tokens = try QueryLexer.tokens(query)
        guard !tokens.isEmpty else { throw QueryError("empty query", column: 1) }
        if tokens.count == 1, tokens[0].kind == .star { return .matchAll }
        var p = Parser(tokens: tokens, length: query.count)
        let result = try p.or()
        if let extra = p.peek {
            throw QueryError(extra.kind == .closeParen ? "')' without a matching '('" : "unexpected \(extra.kind.spelling)",
                             column: extra.range.lowerBound + 1)
        }
        return result
    }
}

private struct Parser {
    let tokens: [QueryLexer.Token]
    let length: Int
    var i = 0

    var peek: QueryLexer.Token? { i < tokens.count ? tokens[i] : nil }

    mutating func or() throws -> Query {
        var parts = [try and()]
        while peek?.kind == .or {
            i += 1
            parts.append(try and())
        }
        return parts.count == 1 ? parts[0] : .or(parts.flatMap { if case .or(let inner) = $0 { return inner }; return [$0] })
    }

    mutating func and() throws -> Query {
        var parts = [try unary()]
        while let next = peek {
            if next.kind == .and {
                i += 1
            } else if !next.kind.startsUnary {
                break
            }
            parts.append(try unary())
        }
        return parts.count == 1 ? parts[0] : .and(parts.flatMap { if case .and(let inner) = $0 { return inner }; return [$0] })
    }

    mutating func unary() throws -> Query {
        if peek?.kind == .not {
            i += 1
            return .not(try unary())
        }
        return try near()
    }

    mutating func near() throws -> Query {
        let left = try primary(field: nil)
        guard let op = peek, case .near(let distance) = op.kind else { return left }
        i += 1
        let right = try primary(field: nil)
        // Between groups, NEAR holds when some term of each is near some term of the other:
        // `(IBM OR Amazon) NEAR/8 police` is `(IBM NEAR/8 police) OR (Amazon NEAR/8 police)`.
        guard let a = Self.alternatives(left), let b = Self.alternatives(right) else {
            throw QueryError("NEAR joins words, phrases or groups of them joined by OR, as in (IBM OR Amazon) NEAR/8 police",
                             column: op.range.lowerBound + 1)
        }
        guard a.count * b.count <= Self.maxNearPairs else {
            throw QueryError("NEAR between groups of \(a.count) and \(b.count) terms makes \(a.count * b.count) pairs; at most \(Self.maxNearPairs)",
                             column: op.range.lowerBound + 1)
        }
        let pairs = a.flatMap { x in b.map { y in Query.near(x, y, within: distance) } }
        return pairs.count == 1 ? pairs[0] : .or(pairs)
    }

    /// The most term pairs one NEAR between groups may stand for (each is checked per item).
    static let maxNearPairs = 100

    /// The terms of a word, a phrase or an OR of them (nested), in order; `nil` for anything else.
    static func alternatives(_ q: Query) -> [QueryTerm]? {
        switch q {
        case .term(let t): return [t]
        case .or(let qs):
            var out: [QueryTerm] = []
            for q in qs {
                guard let terms = alternatives(q) else { return nil }
                out += terms
            }
            return out
        default: return nil
        }
    }

    mutating func primary(field: QueryField?) throws -> Query {
        guard let token = peek else {
            throw QueryError("the query ends where a word, a phrase or '(' was expected", column: length + 1)
        }
        i += 1
        switch token.kind {
        case .word(let text, let prefix):
            return .term(QueryTerm(text: text, kind: .word, isPrefix: prefix, field: field, range: token.range))
        case .phrase(let text, let prefix):
            return .term(QueryTerm(text: text, kind: .phrase, isPrefix: prefix, field: field, range: token.range))
        case .openParen:
            let inner = try or()
            guard peek?.kind == .closeParen else {
                throw QueryError("'(' is never closed", column: token.range.lowerBound + 1)
            }
            i += 1
            return field.map { inner.restricted(to: $0) } ?? inner
        case .field(let f):
            guard field == nil || field == f else {
                throw QueryError("\(f.rawValue): inside \(field!.rawValue): can never match", column: token.range.lowerBound + 1)
            }
            if let next = peek, case .field = next.kind {
                throw QueryError("two field prefixes in a row", column: next.range.lowerBound + 1)
            }
            let inner = try primary(field: f)
            return inner.restricted(to: f)
        case .star:
            throw QueryError("'*' alone matches everything: use it as the whole query, or end a word with it (polic*)",
                             column: token.range.lowerBound + 1)
        default:
            throw QueryError("\(token.kind.spelling) where a word, a phrase or '(' was expected",
                             column: token.range.lowerBound + 1)
        }
    }
}

extension Query {
    /// The query with every unrestricted term limited to `field`.
    func restricted(to field: QueryField) -> Query {
        func restrict(_ t: QueryTerm) -> QueryTerm {
            var t = t
            if t.field == nil { t.field = field }
            return t
        }
        switch self {
        case .matchAll: return self
        case .term(let t): return .term(restrict(t))
        case .near(let a, let b, let n): return .near(restrict(a), restrict(b), within: n)
        case .not(let q): return .not(q.restricted(to: field))
        case .and(let qs): return .and(qs.map { $0.restricted(to: field) })
        case .or(let qs): return .or(qs.map { $0.restricted(to: field) })
        }
    }
}

extension QueryLexer.Kind {
    var startsUnary: Bool {
        switch self {
        case .word, .phrase, .field, .openParen, .not, .star: return true
        default: return false
        }
    }

    /// How the token reads in an error message.
    var spelling: String {
        switch self {
        case .word(let w, _): return "\"\(w)\""
        case .phrase(let p, _): return "\"\(p)\""
        case .field(let f): return "\(f.rawValue):"
        case .openParen: return "'('"
        case .closeParen: return "')'"
        case .and: return "AND"
        case .or: return "OR"
        case .not: return "NOT"
        case .star: return "'*'"
        case .near(let n): return "NEAR/\(n)"
        }
    }
}
