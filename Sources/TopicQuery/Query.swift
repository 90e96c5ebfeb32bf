/// A parsed topic query: what the user wrote in the `topics:` section, as a tree.
///
/// Terms keep their text as written (without quotes or a trailing `*`); turning them into the
/// normalized token sequences that items are matched against is the matcher's job, so that items
/// and queries go through one and the same normalizer.
public indirect enum Query: Equatable, Sendable {
    /// `*`: every item matches.
    case matchAll
    case term(QueryTerm)
    /// `a NEAR/n b`: both within `n` words of each other, in either order.
    case near(QueryTerm, QueryTerm, within: Int)
    case not(Query)
    case and([Query])
    case or([Query])
}

/// A word or "quoted phrase" of a query.
public struct QueryTerm: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case word, phrase }

    public var text: String
    public var kind: Kind
    /// A trailing `*`: the (last) word matches as a prefix (`polic*`).
    public var isPrefix: Bool
    /// A field prefix (`title:police`); `nil` matches in every default field.
    public var field: QueryField?
    /// Where the term stands in the query, in characters (for error messages and `classify`).
    public var range: Range<Int>

    public init(text: String, kind: Kind, isPrefix: Bool = false, field: QueryField? = nil, range: Range<Int>) {
        self.text = text
        self.kind = kind
        self.isPrefix = isPrefix
        self.field = field
        self.range = range
    }
}

/// The parts of an item a term can be restricted to.
public enum QueryField: String, CaseIterable, Sendable {
    case title, summary, content, author, category, feed
}

extension Query: CustomStringConvertible {
    /// A canonical spelling, fully parenthesised where precedence matters: equal for queries that
    /// differ only in spacing, implicit `AND` or redundant parentheses.
    public var description: String {
        switch self {
        case .matchAll: return "*"
        case .term(let t): return t.description
        case .near(let a, let b, let n): return "\(a) NEAR/\(n) \(b)"
        case .not(let q): return "NOT \(q.parenthesisedUnlessAtomic)"
        case .and(let qs): return qs.map(\.parenthesisedUnlessAtomic).joined(separator: " AND ")
        case .or(let qs): return qs.map(\.parenthesisedUnlessAtomic).joined(separator: " OR ")
        }
    }

    private var parenthesisedUnlessAtomic: String {
        switch self {
        case .and, .or, .near: return "(\(description))"
        default: return description
        }
    }
}

extension QueryTerm: CustomStringConvertible {
    public var description: String {
        let star = isPrefix ? "*" : ""
        let body = kind == .phrase ? "\"\(text)\(star)\"" : text + star
        return (field.map { "\($0.rawValue):" } ?? "") + body
    }
}
