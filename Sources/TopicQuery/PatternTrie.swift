/// Every distinct term of every topic, as a path of normalized tokens in one trie; a term ending
/// in `*` matches any token that starts with its last word.
struct PatternTrie {
    private struct Node {
        var children: [Int: Int] = [:]        // token id → node
        var patterns: [Int] = []              // patterns ending here
        var prefixes: [String: [Int]] = [:]   // last-word prefix → patterns
        /// The lengths (in characters) of those prefixes: only these are tried against a token.
        var prefixLengths: [Int] = []
    }

    private let nodes: [Node]
    private let tokenIDs: [String: Int]

    /// Collects patterns while topics compile.
    struct Builder {
        private var nodes = [Node()]
        private var tokenIDs: [String: Int] = [:]
        private var patternIDs: [PatternKey: Int] = [:]
        private(set) var patternCount = 0

        private struct PatternKey: Hashable {
            let tokens: [String]
            let prefix: Bool
        }

        /// The pattern id for a term's tokens, adding it on first sight.
        mutating func add(tokens: [String], prefix: Bool) -> Int {
            let key = PatternKey(tokens: tokens, prefix: prefix)
            if let id = patternIDs[key] { return id }
            let id = patternCount
            patternCount += 1
            patternIDs[key] = id
            var node = 0
            let path = prefix ? tokens.dropLast() : tokens[...]
            for token in path {
                let tid = tokenIDs[token] ?? { let t = tokenIDs.count; tokenIDs[token] = t; return t }()
                if let next = nodes[node].children[tid] {
                    node = next
                } else {
                    nodes.append(Node())
                    nodes[node].children[tid] = nodes.count - 1
                    node = nodes.count - 1
                }
            }
            if prefix, let last = tokens.last {
                nodes[node].prefixes[last, default: []].append(id)
                if !nodes[node].prefixLengths.contains(last.count) {
                    nodes[node].prefixLengths.append(last.count)
                    nodes[node].prefixLengths.sort()
                }
            } else {
                nodes[node].patterns.append(id)
            }
            return id
        }

        func build() -> PatternTrie { PatternTrie(nodes: nodes, tokenIDs: tokenIDs) }
    }

    /// Records every occurrence of every pattern in one field's tokens.
    func scan(_ tokens: [TextToken], field: QueryField, into hits: inout Hits) {
        let ids = tokens.map { tokenIDs[$0.text] ?? -1 }
        for start in tokens.indices {
            var node = 0
            var k = start
            while k < tokens.count {
                let n = nodes[node]
                if !n.prefixes.isEmpty { matchPrefixes(n, tokens, start, k, field, &hits) }
                guard let next = n.children[ids[k]] else { break }
                node = next
                for p in nodes[node].patterns {
                    hits.add(p, Hit(field: field, first: start, last: k, start: tokens[start].start, end: tokens[k].end))
                }
                k += 1
            }
        }
    }

    private func matchPrefixes(_ n: Node, _ tokens: [TextToken], _ start: Int, _ k: Int, _ field: QueryField, _ hits: inout Hits) {
        let word = tokens[k].text
        let count = word.count
        for length in n.prefixLengths {
            guard length <= count else { break }
            for p in n.prefixes[String(word.prefix(length))] ?? [] {
                hits.add(p, Hit(field: field, first: start, last: k, start: tokens[start].start, end: tokens[k].end))
            }
        }
    }
}

/// One occurrence of a pattern: its field, first and last token, and scalar offsets.
struct Hit: Equatable {
    var field: QueryField
    var first: Int
    var last: Int
    var start: Int
    var end: Int
}

/// The occurrences found in one item.
struct Hits {
    private(set) var byPattern: [Int: [Hit]] = [:]
    var patterns: Dictionary<Int, [Hit]>.Keys { byPattern.keys }

    mutating func add(_ pattern: Int, _ hit: Hit) { byPattern[pattern, default: []].append(hit) }
    func of(_ pattern: Int) -> [Hit] { byPattern[pattern] ?? [] }
}
