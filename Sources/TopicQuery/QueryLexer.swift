internal import FeedwatchCore

/// Splits a query into tokens. Offsets are in characters, as users count columns.
struct QueryLexer {
    enum Kind: Equatable {
        case word(String, prefix: Bool)
        case phrase(String, prefix: Bool)
        case field(QueryField)
        case openParen, closeParen, and, or, not, star
        case near(Int)
    }

    struct Token: Equatable {
        var kind: Kind
        var range: Range<Int>
    }

    /// The largest NEAR distance: beyond it "near" means little and costs much.
    static let maxNearDistance = 100

    private static let openingQuotes: Set<Character> = ["\"", "\u{201C}", "\u{201E}", "\u{00AB}"]
    private static let closingQuotes: Set<Character> = ["\"", "\u{201D}", "\u{201C}", "\u{00BB}"]

    static func tokens(_ query: String) throws -> [Token] {
        let c = Array(query)
        var out: [Token] = []
        var i = 0
        while i < c.count {
            let ch = c[i]
            if ch.isWhitespace { i += 1; continue }
            if ch == "(" { out.append(Token(kind: .openParen, range: i..<(i + 1))); i += 1; continue }
            if ch == ")" { out.append(Token(kind: .closeParen, range: i..<(i + 1))); i += 1; continue }
            if openingQuotes.contains(ch) {
                let start = i
                i += 1
                while i < c.count && !closingQuotes.contains(c[i]) { i += 1 }
                guard i < c.count else { throw QueryError("unterminated phrase: no closing quote", column: start + 1) }
                var text = String(c[(start + 1)..<i]).trimmingWhitespace()
                i += 1
                let prefix = text.hasSuffix("*")
                if prefix { text = String(text.dropLast()).trimmingWhitespace() }
                guard !text.isEmpty else { throw QueryError("empty phrase", column: start + 1) }
                out.append(Token(kind: .phrase(text, prefix: prefix), range: start..<i))
                continue
            }
            // A bare word: up to white space, a parenthesis or a quote.
            let start = i
            while i < c.count, !c[i].isWhitespace, c[i] != "(", c[i] != ")", !openingQuotes.contains(c[i]) { i += 1 }
            let word = String(c[start..<i])
            // `field:` — letters before the colon make it a field prefix, which must be a known one.
            if let colon = word.firstIndex(of: ":"), word[..<colon].allSatisfy(\.isLetter), !word[..<colon].isEmpty {
                let name = word[..<colon].lowercased()
                guard let field = QueryField(rawValue: name) else {
                    let known = QueryField.allCases.map(\.rawValue).joined(separator: ", ")
                    throw QueryError("unknown field \"\(name)\" (fields: \(known))", column: start + 1)
                }
                let fieldEnd = start + word.distance(from: word.startIndex, to: colon) + 1
                out.append(Token(kind: .field(field), range: start..<fieldEnd))
                i = fieldEnd  // what follows the colon is lexed on its own
                continue
            }
            out.append(Token(kind: try wordKind(word, column: start + 1), range: start..<i))
        }
        return out
    }

    private static func wordKind(_ word: String, column: Int) throws -> Kind {
        switch word {
        case "AND": return .and
        case "OR": return .or
        case "NOT": return .not
        case "*": return .star
        default: break
        }
        if word.hasPrefix("NEAR") {
            guard word.hasPrefix("NEAR/"), let n = Int(word.dropFirst(5)), (1...maxNearDistance).contains(n) else {
                throw QueryError("NEAR needs a distance from 1 to \(maxNearDistance), as in NEAR/10", column: column)
            }
            return .near(n)
        }
        var text = word
        let prefix = text.hasSuffix("*")
        if prefix { text.removeLast() }
        if let star = text.firstIndex(of: "*") {
            throw QueryError("'*' may only end a word (polic*)", column: column + text.distance(from: text.startIndex, to: star))
        }
        if prefix && text.filter({ $0.isLetter || $0.isNumber }).count < 2 {
            throw QueryError("a prefix needs at least two letters before '*'", column: column)
        }
        return .word(text, prefix: prefix)
    }
}
