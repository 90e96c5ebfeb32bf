// Classifies items of ~1 KB of news-like text against 10, 1,000 and 10,000 topics on one core and
// prints items per second, and how many topic matches the items made (so the load is visible).
//
// Two models, both from fixed seeds:
// - news (default): text drawn from a Zipf vocabulary of 200,000 words (exponent 1, as in English
//   prose: "the" is ~8% of words, a rank-10,000 word one in ~130,000; a year of news has more
//   distinct words than that, names above all), 2% non-ASCII words; topics
//   shaped like real monitoring queries — phrases, OR lists, AND of two concepts, NEAR, field
//   prefixes, prefixes, NOT — over content words (rank 200 and rarer).
// - dense (MODEL=dense): a stress case. Text is 38% words drawn uniformly from 20,000 rare words,
//   and each topic ANDs three of those with a group that always holds, so ~1% of all topics match
//   every item (10 per item at 1,000 topics, 70 at 10,000): the cost there is building the
//   explanations of that many matches.
//
// Each count is timed RUNS times (default 3) and the median is reported: the machine is noisy.
// Env: ITEMS (default 100000), TOPICS (default "10,1000,10000"), MODEL (news|dense), RUNS,
// STEM (a language, e.g. en: every topic matches by stem, the slowest case).
import Glibc
import FeedwatchCore
import TopicQuery

struct Rng {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }
}

func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

var rng = Rng(state: 2026)
let letters = Array("abcdefghijklmnopqrstuvwxyz")
let accented = ["café", "résumé", "naïve", "Zürich", "São", "Müller", "“quoted”", "IBM’s", "face‑ID", "Łódź", "Ærø", "straße"]

/// A pseudo-word of `length` letters.
@MainActor func word(_ length: Int) -> String { String((0..<length).map { _ in rng.pick(letters) }) }

// MARK: news model

let function = ("the of and to a in that is for on it with as was he be by at from his an have are has "
    + "this not but had they which were been said or its their will would one who all she more there "
    + "after new also when up out about into than two over first other year years people could police "
    + "city government last state some what her can time over report company officials").split(separator: " ").map(String.init)
/// Rank order: the function words first, then pseudo-words, short ones more frequent.
let vocabulary: [String] = {
    var seen = Set(function)
    var out = function
    while out.count < 200_000 {
        let w = word(3 + min(8, out.count / 20_000 + rng.below(5)))
        if seen.insert(w).inserted { out.append(w) }
    }
    return out
}()
/// Cumulative Zipf weights (exponent 1) for sampling by binary search.
let cumulative: [Double] = {
    var total = 0.0
    return vocabulary.indices.map { r in total += 1 / Double(r + 1); return total }
}()

@MainActor func zipfWord() -> String {
    let x = rng.unit() * cumulative.last!
    var lo = 0, hi = cumulative.count - 1
    while lo < hi {
        let mid = (lo + hi) / 2
        if cumulative[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return vocabulary[lo]
}

@MainActor func newsText(_ bytes: Int) -> String {
    var out = "", sentence = 0
    while out.utf8.count < bytes {
        var w = rng.below(50) == 0 ? rng.pick(accented) : zipfWord()
        if sentence == 0 || rng.below(12) == 0 { w = w.prefix(1).uppercased() + w.dropFirst() }
        out += w
        sentence += 1
        if sentence > 8 && rng.below(10) == 0 { out += ". "; sentence = 0 } else { out += rng.below(15) == 0 ? ", " : " " }
    }
    return out
}

/// A content word: rank 200 or rarer, as names and subjects are.
@MainActor func content() -> String { vocabulary[200 + rng.below(vocabulary.count - 200)] }

@MainActor func newsTopic(_ i: Int) -> String {
    func phrase() -> String { "\"\(content()) \(content())\"" }
    switch rng.below(10) {
    case 0...3: return "\(phrase()) OR \(phrase()) OR \(content())"
    case 4...6: return "(\(content()) OR \(phrase())) AND (\(content()) OR \(content()))"
    case 7: return "\(content()) NEAR/10 \(content())"
    case 8: return "title:\(content()) OR \(content().prefix(5))*"
    default: return "\(phrase()) NOT \(content())"
    }
}

// MARK: dense model (the stress case)

let rare: [String] = (0..<20_000).map { _ in word(4 + rng.below(7)) }
let common = Array(function.prefix(40))

@MainActor func denseText() -> String {
    var words: [String] = []
    var size = 0
    while size < 1000 {
        let r = rng.below(100)
        let w = r < 60 ? rng.pick(common) : r < 98 ? rng.pick(rare) : rng.pick(accented)
        words.append(r % 7 == 0 ? w.prefix(1).uppercased() + w.dropFirst() : w)
        size += w.utf8.count + 1
    }
    return words.joined(separator: rng.below(10) == 0 ? ", " : " ")
}

@MainActor func denseTopic(_ i: Int) -> String {
    func term() -> String {
        switch rng.below(4) {
        case 0: return "\"\(rng.pick(rare)) \(rng.pick(rare))\""
        case 1: return String(rng.pick(rare).prefix(4)) + "*"
        default: return rng.pick(rare)
        }
    }
    return "(\(term()) OR \(term()) OR \(term())) AND (\(term()) OR \(rng.pick(common))) NOT \(term())"
}

// MARK: run

let dense = env("MODEL") == "dense"
let itemCount = Int(env("ITEMS") ?? "") ?? 100_000
let items = (0..<itemCount).map { _ in
    dense ? FeedItem(title: String(denseText().prefix(80)), summary: denseText())
        : FeedItem(title: String(newsText(60).prefix(80)), summary: newsText(1_000))
}
let bytes = items.reduce(0) { $0 + ($1.summary?.utf8.count ?? 0) + ($1.title?.utf8.count ?? 0) }
print("model \(dense ? "dense" : "news")\(env("STEM").map { ", stemmed (\($0))" } ?? ""): \(itemCount) items, \(bytes / itemCount) bytes each on average")
var baseline = 0.0
let counts = (env("TOPICS") ?? "10,1000,10000").split(separator: ",").compactMap { Int($0) }
for count in counts {
    let topics = (0..<count).map { i in
        Topic(name: "t\(i)", query: try! QueryParser.parse(dense ? denseTopic(i) : newsTopic(i)), language: env("STEM"))
    }
    let matcher = try! TopicMatcher(topics: topics)
    var matched = 0
    var times: [Double] = []
    for _ in 0..<(Int(env("RUNS") ?? "") ?? 3) {
        matched = 0
        let start = clock_gettime_ns()
        for it in items { matched += matcher.classify(it).count }
        times.append(Double(clock_gettime_ns() - start) / 1e9)
    }
    let seconds = times.sorted()[times.count / 2]
    if baseline == 0 { baseline = seconds }
    let ratio = (seconds / baseline * 100).rounded() / 100
    let perItem = (Double(matched) / Double(itemCount) * 1000).rounded() / 1000
    print("\(count) topics: \(Int(Double(items.count) / seconds)) items/s, \((seconds * 100).rounded() / 100) s, "
        + "\(ratio)× the first time, \(perItem) topic matches per item")
}

func clock_gettime_ns() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
