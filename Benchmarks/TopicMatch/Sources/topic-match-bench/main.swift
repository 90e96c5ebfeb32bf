// Classifies 100,000 items of ~1 KB of news text against 10, 1,000 and 10,000 topics, on one core,
// and prints items per second. Topics and items are generated from a fixed seed.
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
    mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }
}

let common = ("the a of to and in for on with that by from as at is was will has have it this which said "
    + "police city council department officials report software company technology privacy people year new").split(separator: " ").map(String.init)
// A long tail of rarer words, like real vocabularies: topic terms are drawn from it.
var rng = Rng(state: 2026)
let letters = Array("abcdefghijklmnopqrstuvwxyz")
let rare: [String] = (0..<20_000).map { _ in String((0..<(4 + rng.below(7))).map { _ in rng.pick(letters) }) }
let accented = ["café", "résumé", "naïve", "Zürich", "São", "Müller", "“quoted”", "IBM’s", "face‑ID"]

@MainActor func item() -> String {
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

@MainActor func topic(_ i: Int) -> Topic {
    func term() -> String {
        switch rng.below(4) {
        case 0: return "\"\(rng.pick(rare)) \(rng.pick(rare))\""
        case 1: return String(rng.pick(rare).prefix(4)) + "*"
        default: return rng.pick(rare)
        }
    }
    let query = "(\(term()) OR \(term()) OR \(term())) AND (\(term()) OR \(rng.pick(common))) NOT \(term())"
    return Topic(name: "t\(i)", query: try! QueryParser.parse(query))
}

let itemCount = Int(getenv("ITEMS").map { String(cString: $0) } ?? "") ?? 100_000
let items = (0..<itemCount).map { _ in FeedItem(title: String(item().prefix(80)), summary: item()) }
let bytes = items.reduce(0) { $0 + ($1.summary?.utf8.count ?? 0) + ($1.title?.utf8.count ?? 0) }
print("\(itemCount) items, \(bytes / itemCount) bytes each on average")
var baseline = 0.0
let counts = (getenv("TOPICS").map { String(cString: $0) } ?? "10,1000,10000").split(separator: ",").compactMap { Int($0) }
for count in counts {
    let matcher = try! TopicMatcher(topics: (0..<count).map(topic))
    var matched = 0
    let start = clock_gettime_ns()
    for it in items { matched += matcher.classify(it).count }
    let seconds = Double(clock_gettime_ns() - start) / 1e9
    if count == 10 { baseline = seconds }
    let ratio = (seconds / baseline * 100).rounded() / 100
    print("\(count) topics: \(Int(Double(items.count) / seconds)) items/s, \((seconds * 100).rounded() / 100) s, "
        + "\(ratio)× the 10-topic time, \(matched) topic matches")
}

func clock_gettime_ns() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
