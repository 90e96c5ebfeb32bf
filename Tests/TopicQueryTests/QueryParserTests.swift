import Testing
import TestSupport
import TopicQuery

@Suite struct QueryParserTests {
    /// Input → canonical form: precedence NOT > AND > OR, implicit AND, flattening.
    @Test(arguments: [
        ("police", "police"),
        ("\"facial recognition\"", "\"facial recognition\""),
        ("a b c", "a AND b AND c"),
        ("a AND b OR c", "(a AND b) OR c"),
        ("a OR b AND c", "a OR (b AND c)"),
        ("a OR b c", "a OR (b AND c)"),
        ("NOT a AND b", "NOT a AND b"),
        ("NOT (a OR b)", "NOT (a OR b)"),
        ("NOT NOT a", "NOT NOT a"),
        ("a NOT b", "a AND NOT b"),
        ("(a OR b) (c OR d)", "(a OR b) AND (c OR d)"),
        ("((a))", "a"),
        ("(a AND b) AND c", "a AND b AND c"),
        ("a OR (b OR c)", "a OR b OR c"),
        ("polic*", "polic*"),
        ("\"facial recog*\"", "\"facial recog*\""),
        ("title:police", "title:police"),
        ("title:\"law enforcement\" summary:police", "title:\"law enforcement\" AND summary:police"),
        ("title:(police OR sheriff) ibm", "(title:police OR title:sheriff) AND ibm"),
        ("title:(police OR content:sheriff)", "title:police OR content:sheriff"),
        ("\"facial recognition\" NEAR/10 police", "\"facial recognition\" NEAR/10 police"),
        ("a NEAR/3 b OR c", "(a NEAR/3 b) OR c"),
        // Between groups: each pair of their terms.
        ("(IBM OR Amazon) NEAR/8 (police OR \"law enforcement\")",
         "(IBM NEAR/8 police) OR (IBM NEAR/8 \"law enforcement\") OR (Amazon NEAR/8 police) OR (Amazon NEAR/8 \"law enforcement\")"),
        ("title:(a OR b) NEAR/2 c", "(title:a NEAR/2 c) OR (title:b NEAR/2 c)"),
        ("cats and dogs or birds", "cats AND and AND dogs AND or AND birds"),
        ("\u{201C}facial recognition\u{201D} police", "\"facial recognition\" AND police"),
        ("IBM’s", "IBM’s"),
        ("*", "*"),
        ("  *  ", "*"),
        ("author:Togoh feed:Verge", "author:Togoh AND feed:Verge"),
        ("TITLE:police", "title:police"),
        ("10:30", "10:30"),
    ])
    func canonicalForm(query: String, expected: String) throws {
        #expect(try QueryParser.parse(query).description == expected)
    }

    @Test func theContractsExamplesParse() throws {
        let q = try QueryParser.parse("(\"facial recognition\" OR \"face recognition\") AND (police OR \"law enforcement\") NOT \"face id\"")
        #expect(q.description == "(\"facial recognition\" OR \"face recognition\") AND (police OR \"law enforcement\") AND NOT \"face id\"")
        #expect(try QueryParser.parse("police OR policing OR \"law enforcement\"").description == "police OR policing OR \"law enforcement\"")
    }

    @Test func termsRememberWhereTheyStand() throws {
        guard case .and(let parts) = try QueryParser.parse("ibm title:\"face id\"") else { Issue.record("not an AND"); return }
        guard case .term(let t) = parts[1] else { Issue.record("not a term"); return }
        #expect(t.text == "face id" && t.kind == .phrase && t.field == .title && t.range == 10..<19)
    }

    /// Query → (column, start of the message).
    @Test(arguments: [
        ("", 1, "empty query"),
        ("   ", 1, "empty query"),
        ("police AND", 11, "the query ends where"),
        ("AND police", 1, "AND where"),
        ("(police OR sheriff", 1, "'(' is never closed"),
        ("police)", 7, "')' without a matching '('"),
        ("\"facial recognition", 1, "unterminated phrase"),
        ("\"  \"", 1, "empty phrase"),
        ("titel:police", 1, "unknown field \"titel\""),
        ("a NEAR b", 3, "NEAR needs a distance"),
        ("a NEAR/0 b", 3, "NEAR needs a distance"),
        ("a NEAR/500 b", 3, "NEAR needs a distance"),
        ("(a AND b) NEAR/5 c", 11, "NEAR joins words, phrases or groups of them joined by OR"),
        ("po*lice", 3, "'*' may only end a word"),
        ("p*", 1, "a prefix needs at least two letters"),
        ("police OR *", 11, "'*' alone matches everything"),
        ("title:summary:x", 7, "two field prefixes"),
        ("police () sheriff", 9, "')' where"),
        ("a OR OR b", 6, "OR where"),
    ])
    func errorsPointAtTheProblem(query: String, column: Int, message: String) {
        #expect {
            try QueryParser.parse(query)
        } throws: { error in
            guard let e = error as? QueryError else { return false }
            return e.column == column && e.message.hasPrefix(message)
        }
    }

    @Test func caretDiagram() {
        let e = QueryError("'(' is never closed", column: 24)
        let query = "facial recognition AND (police"
        #expect(e.caretDiagram(for: query) == query + "\n" + String(repeating: " ", count: 23) + "^")
    }

    /// Any input gives a query or a `QueryError` — never a crash — and its column is inside it.
    @Test func randomInputNeverCrashes() {
        let alphabet: [Character] = ["a", "b", "x", " ", " ", "(", ")", "\"", "*", ":", "/", "1", "0", "N", "E", "A", "R",
                                     "O", "D", "T", "\u{201C}", "\u{201D}", "é", "\t", "-"]
        let words = ["AND", "OR", "NOT", "NEAR/3", "title:", "summary:", "*", "(", ")", "\"x y\"", "polic*", "titel:"]
        var rng = SplitMix64(seed: 3)
        for _ in 0..<20_000 {
            var q = ""
            for _ in 0..<Int.random(in: 0...14, using: &rng) {
                q += Bool.random(using: &rng) ? String(alphabet.randomElement(using: &rng)!) : " " + words.randomElement(using: &rng)! + " "
            }
            do {
                _ = try QueryParser.parse(q)
            } catch let e as QueryError {
                #expect(e.column >= 1 && e.column <= q.count + 1, "column \(e.column) outside \(q.debugDescription)")
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    /// Extra white space never changes what a query means.
    @Test func whitespaceDoesNotChangeTheQuery() throws {
        let queries = ["a b", "(a OR b) NOT c", "title:police \"law enforcement\"", "x NEAR/4 \"y z\"", "polic* OR sheriff"]
        var rng = SplitMix64(seed: 9)
        for q in queries {
            let reference = try QueryParser.parse(q).description
            for _ in 0..<50 {
                // Widen every existing space, and pad around parentheses (never inside a phrase or after a field).
                var widened = ""
                var inPhrase = false
                for ch in q {
                    if ch == "\"" { inPhrase.toggle() }
                    if ch == " " && !inPhrase {
                        widened += String(repeating: Bool.random(using: &rng) ? " " : "\t", count: Int.random(in: 1...4, using: &rng))
                    } else if (ch == "(" || ch == ")") && !inPhrase {
                        widened += "  \(ch) "
                    } else {
                        widened.append(ch)
                    }
                }
                #expect(try QueryParser.parse("  " + widened + "\n").description == reference)
            }
        }
    }
}
