// Groups a synthetic stream of ITEMS_PER_DAY items a day (default 100,000) for DAYS days (default
// 4: one more than the 72 h window, so the index reaches its steady size and then evicts) and
// prints, per simulated day, the mean and 99th-percentile time to place one item, the items held,
// and the process's peak memory; then pairwise precision and recall against the generator's
// events (a sanity check of the model, not a quality figure: that is the labelled fixture's job).
//
// The stream: words drawn from a Zipf vocabulary of 100,000 pseudo-words after English function
// words; every item carries the topic's words ("facial recognition", as a stream selected by a
// topic does); 70% of items report one of the events alive at the time (heavy-tailed sizes: most
// have a few items, a few have hundreds), each event having its own six rare words of which an
// item's title uses three and its summary four, among ordinary words; the rest are one-offs.
import Glibc
import FeedwatchCore
import Stories

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
}

/// `x` with `digits` decimals (no Foundation here).
func fixed(_ x: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let n = Int((x * scale).rounded())
    guard digits > 0 else { return "\(n)" }
    let whole = n / Int(scale), frac = String(n % Int(scale))
    return "\(whole)." + String(repeating: "0", count: digits - frac.count) + frac
}

func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
func peakMB(_ field: String = "VmHWM:") -> Double {
    guard let f = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(f) }
    var line = [UInt8](repeating: 0, count: 256)
    while line.withUnsafeMutableBufferPointer({ p in p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: 256) { fgets($0, 256, f) } }) != nil {
        let s = String(decoding: line.prefix { $0 != 0 }, as: UTF8.self)
        if s.hasPrefix(field) { return Double(s.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0) / 1024 }
    }
    return 0
}

var rng = Rng(state: 72)
let letters = Array("abcdefghijklmnopqrstuvwxyz")
let function = ("the of and to a in that is for on it with as was he be by at from his an have are has this not but had they "
    + "which were been said or its their will would one who all she more there after new also when up out about into than two "
    + "over first other year people could city government last state some what her can time report company officials").split(separator: " ").map(String.init)
var seen = Set(function)
var vocabulary = function
while vocabulary.count < 100_000 {
    let w = String((0..<(3 + rng.below(8))).map { _ in letters[rng.below(26)] })
    if seen.insert(w).inserted { vocabulary.append(w) }
}
var cumulative: [Double] = []
var total = 0.0
for r in 1...vocabulary.count {
    total += 1 / Double(r)
    cumulative.append(total)
}
@MainActor func zipf() -> String {
    let x = rng.unit() * total
    var lo = 0, hi = cumulative.count - 1
    while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < x { lo = mid + 1 } else { hi = mid } }
    return vocabulary[lo]
}
@MainActor func rare() -> String { vocabulary[20_000 + rng.below(80_000)] }
@MainActor func words(_ n: Int) -> [String] { (0..<n).map { _ in zipf() } }

struct Event { var words: [String]; var left: Int }

let perDay = Int(env("ITEMS_PER_DAY") ?? "") ?? 100_000
let days = Int(env("DAYS") ?? "") ?? 4
let index = StoryIndex()
index.noteTopicTerms(["facial recognition"])
var live: [Int: Event] = [:]
var nextEvent = 0
var truth: [Int] = []      // event of each item, -1 for a one-off
var placed: [String] = []  // story of each item
var into: [String: String] = [:]  // stories merged away, and where they went
// What the process holds before the index holds anything: the generator's vocabulary and tables.
let before = peakMB("VmRSS:")
let start = Timestamp(secondsSince1970: 1_800_000_000)
print("story grouping: \(perDay) items a day, \(days) days, window 72 h")
for day in 0..<days {
    var times: [Double] = []
    times.reserveCapacity(perDay)
    var spent = 0.0
    for k in 0..<perDay {
        let item = day * perDay + k
        let at = Timestamp(secondsSince1970: start.secondsSince1970 + Int64(Double(item) * 86_400 / Double(perDay)))
        var title = words(6), summary = words(24)
        var event = -1
        if rng.unit() < 0.7 {
            // Join a live event, or start one (heavy-tailed size: 2 … ~500 items).
            if live.isEmpty || rng.unit() < 0.25 {
                let size = Int(2 / pow(1 - rng.unit() * 0.996, 1.0))
                live[nextEvent] = Event(words: (0..<6).map { _ in rare() }, left: min(500, size))
                nextEvent += 1
            }
            let keys = Array(live.keys)
            event = keys[rng.below(keys.count)]
            let e = live[event]!
            for _ in 0..<3 { title.insert(e.words[rng.below(6)], at: rng.below(title.count)) }
            for _ in 0..<4 { summary.insert(e.words[rng.below(6)], at: rng.below(summary.count)) }
            live[event]!.left -= 1
            if live[event]!.left <= 0 { live[event] = nil }
        }
        title.insert(contentsOf: ["facial", "recognition"], at: rng.below(title.count))
        let t0 = now()
        let a = index.add(item: Int64(item + 1), title: title.joined(separator: " "), summary: summary.joined(separator: " "),
                          at: at, seen: at, newStoryID: "st_\(item)")
        let dt = now() - t0
        spent += dt
        times.append(dt)
        truth.append(event)
        placed.append(a.id)
        for old in a.absorbed { into[old] = a.id }
    }
    times.sort()
    let mean: Double = spent / Double(perDay) * 1e6
    let p99: Double = times[times.count * 99 / 100] * 1e6
    let held: Int = index.count
    let peak: Double = peakMB()
    let perItem: Double = (peakMB("VmRSS:") - before) * 1_048_576 / Double(held)
    print("day \(day + 1): \(fixed(mean, 1)) µs per item (p99 \(fixed(p99, 1)) µs), \(held) items held, peak \(fixed(peak, 0)) MB, "
        + "\(fixed(perItem, 0)) bytes per item held (resident beyond the generator's \(fixed(before, 0)) MB)")
}

// Pairwise precision and recall from the contingency counts.
func pairs(_ n: Int) -> Double { Double(n) * Double(n - 1) / 2 }
var byStory: [String: Int] = [:], byEvent: [Int: Int] = [:], byBoth: [String: Int] = [:]
@MainActor func current(_ id: String) -> String {
    var id = id
    while let next = into[id] { id = next }
    return id
}
for (e, s) in zip(truth, placed.map(current)) {
    byStory[s, default: 0] += 1
    if e >= 0 { byEvent[e, default: 0] += 1; byBoth["\(s) \(e)", default: 0] += 1 }
}
let right = byBoth.values.reduce(0) { $0 + pairs($1) }
let predicted = byStory.values.reduce(0) { $0 + pairs($1) }
let actual = byEvent.values.reduce(0) { $0 + pairs($1) }
let precision: Double = right / max(1, predicted)
let recall: Double = right / max(1, actual)
let counts: (Int, Int, Int) = (truth.count, byEvent.count, byStory.count)
print("synthetic events: pairwise precision \(fixed(precision, 3)), recall \(fixed(recall, 3)) (\(counts.0) items, \(counts.1) events, \(counts.2) stories)")
