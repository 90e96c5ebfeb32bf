/// Every distinct term of every topic in one trie over word keys, and the tables that turn an
/// item's words into those keys while they are read.
///
/// A key is a word that some term contains, or a prefix that some term ends with (`polic*`); a
/// word of an item that no term contains has no key and costs one failed hash probe. A term is a
/// path of keys from the root; its pattern id sits on the node where the path ends.
struct PatternIndex {
    private let words: ByteTable
    private let prefixes: ByteTable
    /// Per language some topic stems in: the stems its terms contain.
    let stemLanguages: [String]
    let stems: [ByteTable]
    /// The byte lengths of prefix keys, ascending: only these prefixes of a word are probed.
    private let prefixLengths: [Int]
    /// The first `prefixLengths[0]` bytes of every prefix key: a word that starts otherwise is
    /// probed at no prefix length at all (one filter check instead of one probe per length).
    private let prefixStarts: BloomFilter
    /// The node each key leads to from the root, or -1.
    private let rootChild: [Int32]
    /// Deeper edges, keyed by `node << 32 | key`: only phrases have them.
    private let children: [UInt64: Int32]
    /// Per node, in one place so that a visit touches one cache line: the patterns ending there
    /// (`terminalPatterns[from..<from + count]`) and whether any edge leaves it.
    private let nodes: [Node]
    private let terminalPatterns: [Int32]

    private struct Node {
        var from: Int32
        var count: Int16
        var hasChildren: Bool
    }

    /// Collects patterns while topics compile.
    struct Builder {
        private var words = ByteTable()
        private var prefixes = ByteTable()
        private var stemmers: [Stemmer] = []
        private var stems: [ByteTable] = []
        private var prefixLengths: Set<Int> = []
        private var prefixBytes: [[UInt8]] = []
        private var keyCount: Int32 = 0
        private var rootChild: [Int32: Int32] = [:]
        private var children: [UInt64: Int32] = [:]
        private var terminals: [[Int32]] = [[]]
        private var patternIDs: [PatternKey: Int] = [:]
        private(set) var patternCount = 0

        private struct PatternKey: Hashable {
            let tokens: [String]
            let prefix: Bool
            let language: String?
        }

        /// Makes `language`'s stemmer ready; false if there is none by that name.
        mutating func use(language: String) -> Bool {
            if stemmers.contains(where: { $0.language == language }) { return true }
            guard let stemmer = Stemmer(language: language) else { return false }
            stemmers.append(stemmer)
            stems.append(ByteTable())
            return true
        }

        /// The pattern id for a term's normalized words, adding it on first sight. With a
        /// `language` (made ready by `use`), words match by stem; a trailing prefix never does.
        mutating func add(tokens: [String], prefix: Bool, language: String? = nil) -> Int {
            let patternKey = PatternKey(tokens: tokens, prefix: prefix, language: language)
            if let id = patternIDs[patternKey] { return id }
            let id = patternCount
            patternCount += 1
            patternIDs[patternKey] = id
            var node: Int32 = 0
            for (n, token) in tokens.enumerated() {
                let bytes = Array(token.utf8)
                let key: Int32
                if prefix && n == tokens.count - 1 {
                    key = prefixes.insert(bytes, value: keyCount)
                    prefixLengths.insert(bytes.count)
                    prefixBytes.append(bytes)
                } else if let language, let l = stemmers.firstIndex(where: { $0.language == language }) {
                    key = stems[l].insert(Array(stemmers[l].stem(token).utf8), value: keyCount)
                } else {
                    key = words.insert(bytes, value: keyCount)
                }
                if key == keyCount { keyCount += 1 }
                let existing = node == 0 ? rootChild[key] : children[UInt64(node) << 32 | UInt64(key)]
                if let existing {
                    node = existing
                } else {
                    terminals.append([])
                    let new = Int32(terminals.count - 1)
                    if node == 0 { rootChild[key] = new } else { children[UInt64(node) << 32 | UInt64(key)] = new }
                    node = new
                }
            }
            terminals[Int(node)].append(Int32(id))
            return id
        }

        func build() -> PatternIndex { PatternIndex(self) }

        fileprivate var parts: (ByteTable, ByteTable, Set<Int>, Int32, [Int32: Int32], [UInt64: Int32], [[Int32]]) {
            (words, prefixes, prefixLengths, keyCount, rootChild, children, terminals)
        }
        fileprivate var prefixStarts: BloomFilter {
            let shortest = prefixLengths.min() ?? 0
            var filter = BloomFilter(capacity: prefixBytes.count)
            for bytes in prefixBytes { filter.insert(ByteTable.hash(bytes.prefix(shortest))) }
            return filter
        }
        fileprivate var stemParts: ([String], [ByteTable]) { (stemmers.map(\.language), stems) }
    }

    private init(_ builder: Builder) {
        var (words, prefixes, prefixLengths, keyCount, rootChild, children, terminals) = builder.parts
        words.seal()
        prefixes.seal()
        var (languages, stems) = builder.stemParts
        for i in stems.indices { stems[i].seal() }
        self.stemLanguages = languages
        self.stems = stems
        self.words = words
        self.prefixes = prefixes
        self.prefixLengths = prefixLengths.sorted()
        self.prefixStarts = builder.prefixStarts
        var dense = [Int32](repeating: -1, count: Int(keyCount))
        for (key, node) in rootChild { dense[Int(key)] = node }
        self.rootChild = dense
        self.children = children
        var has = [Bool](repeating: false, count: terminals.count)
        for edge in children.keys { has[Int(edge >> 32)] = true }
        var nodes: [Node] = []
        var patterns: [Int32] = []
        for (n, list) in terminals.enumerated() {
            nodes.append(Node(from: Int32(patterns.count), count: Int16(list.count), hasChildren: has[n]))
            patterns += list
        }
        self.nodes = nodes
        self.terminalPatterns = patterns
    }

    /// Appends the keys of one folded word to `keys`: a prefix key for every term prefix it starts
    /// with, and its own key if some term contains it. `hashes` are the word's prefix hashes.
    /// `stemmers` parallel `stemLanguages`: the word's stem in each is a key too.
    @inline(__always)
    func keys(of word: UnsafeBufferPointer<UInt8>, hashes: UnsafePointer<UInt64>, stemmers: [Stemmer], into keys: inout [Int32]) {
        guard let base = word.baseAddress else { return }
        if let shortest = prefixLengths.first, shortest <= word.count, prefixStarts.mayContain(hashes[shortest - 1]) {
            for n in prefixLengths {
                if n > word.count { break }
                if let key = prefixes.find(base, n, hash: hashes[n - 1]) { keys.append(key) }
            }
        }
        let hash = hashes[word.count - 1]
        if let key = words.find(base, word.count, hash: hash) { keys.append(key) }
        for stemmer in stemmers {
            if let key = stemmer.key(of: word, hash: hash) { keys.append(key) }
        }
    }

    /// Records every occurrence of every pattern among one field value's tokens.
    func scan(_ tokens: TokenList, field: QueryField, value: Int, into hits: Hits) {
        for j in tokens.keyed.indices {
            for k in tokens.keys(of: j) {
                let node = rootChild[Int(k)]
                if node >= 0 { visit(node, tokens, first: j, last: j, field, value, hits) }
            }
        }
    }

    /// `first` and `last` index `tokens.keyed`; a phrase goes on only through the next token of
    /// the text, and only if that token has keys.
    private func visit(_ node: Int32, _ tokens: TokenList, first: Int, last: Int, _ field: QueryField, _ value: Int, _ hits: Hits) {
        let a = tokens.keyed[first], b = tokens.keyed[last]
        let info = nodes[Int(node)]
        for t in Int(info.from)..<Int(info.from) + Int(info.count) {
            hits.add(Hit(pattern: terminalPatterns[t], field: field, value: Int32(value), first: a.ordinal, last: b.ordinal, start: a.start, end: b.end))
        }
        guard info.hasChildren, last + 1 < tokens.keyed.count, tokens.keyed[last + 1].ordinal == b.ordinal + 1 else { return }
        for k in tokens.keys(of: last + 1) {
            if let child = children[UInt64(node) << 32 | UInt64(k)] {
                visit(child, tokens, first: first, last: last + 1, field, value, hits)
            }
        }
    }
}

/// The words of one field value as the index needs them: only those with keys are kept (no
/// pattern can start or go on through any other), with their place among all the words.
/// Reused for every value: cleared, never freed.
struct TokenList: TokenSink {
    struct Keyed {
        /// Which word of the value it is (0, 1, …): phrases need neighbours, NEAR distances.
        var ordinal: Int32
        var start: Int32
        var end: Int32
        /// Its keys are `keyStore[keyFrom..<keyTo]`.
        var keyFrom: Int32
        var keyTo: Int32
    }

    private(set) var keyed: [Keyed] = []
    private var keyStore: [Int32] = []
    private var ordinal: Int32 = 0
    private let index: PatternIndex
    private let stemmers: [Stemmer]
    /// Where every word also goes (keyed or not) while a field story grouping reads is scanned.
    var recorder: ItemWords?

    init(index: PatternIndex) {
        self.index = index
        // This matcher's own stemmers: they keep state between calls.
        self.stemmers = zip(index.stemLanguages, index.stems).compactMap { language, table in
            let stemmer = Stemmer(language: language)
            stemmer?.table = table
            return stemmer
        }
    }

    mutating func reset() {
        keyed.removeAll(keepingCapacity: true)
        keyStore.removeAll(keepingCapacity: true)
        ordinal = 0
    }

    @inline(__always)
    mutating func word(_ folded: UnsafeBufferPointer<UInt8>, hashes: UnsafePointer<UInt64>, start s: Int, end e: Int) {
        recorder?.word(folded, hashes: hashes, start: s, end: e)
        let before = Int32(keyStore.count)
        index.keys(of: folded, hashes: hashes, stemmers: stemmers, into: &keyStore)
        if keyStore.count > before {
            keyed.append(Keyed(ordinal: ordinal, start: Int32(s), end: Int32(e), keyFrom: before, keyTo: Int32(keyStore.count)))
        }
        ordinal += 1
    }

    @inline(__always)
    func keys(of j: Int) -> ArraySlice<Int32> { keyStore[Int(keyed[j].keyFrom)..<Int(keyed[j].keyTo)] }
}

/// One occurrence of a pattern: its field (and which of an item's authors or categories), its
/// first and last token, and scalar offsets.
struct Hit: Equatable {
    var pattern: Int32
    var field: QueryField
    var value: Int32
    var first: Int32
    var last: Int32
    var start: Int32
    var end: Int32
    /// The next hit of the same pattern, in document order (-1: none).
    var next: Int32 = -1
}

/// The occurrences found in one item, chained per pattern. Cleared per item by bumping an
/// epoch, not by touching every pattern.
final class Hits {
    private(set) var records: [Hit] = []
    /// Per pattern: its first and last hit in this item, valid when `stamp` is this item's epoch.
    private var chains: [Chain]
    private var epoch: UInt32 = 1

    private struct Chain {
        var stamp: UInt32 = 0
        var head: Int32 = -1
        var tail: Int32 = -1
    }
    /// Distinct patterns found in this item.
    private(set) var found: [Int32] = []

    init(patternCount: Int) {
        chains = [Chain](repeating: Chain(), count: patternCount)
    }

    func reset() {
        records.removeAll(keepingCapacity: true)
        found.removeAll(keepingCapacity: true)
        epoch &+= 1
        if epoch == 0 {
            for i in chains.indices { chains[i].stamp = 0 }
            epoch = 1
        }
    }

    func add(_ hit: Hit) {
        let p = Int(hit.pattern)
        let i = Int32(records.count)
        records.append(hit)
        if chains[p].stamp != epoch {
            chains[p] = Chain(stamp: epoch, head: i, tail: i)
            found.append(hit.pattern)
        } else {
            records[Int(chains[p].tail)].next = i
            chains[p].tail = i
        }
    }

    /// The first hit of `pattern` in this item, or -1; follow `records[i].next` for the rest.
    @inline(__always)
    func first(_ pattern: Int) -> Int32 { pattern < chains.count && chains[pattern].stamp == epoch ? chains[pattern].head : -1 }
}
