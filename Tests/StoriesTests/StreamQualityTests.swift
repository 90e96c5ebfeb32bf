import Foundation
import Testing
import FeedwatchCore
@testable import Stories

extension StoryIndex.Settings {
    /// The defaults, with any setting overridden by `FEEDWATCH_STORY_*` (for sweeps only).
    static func fromEnvironment() -> Self {
        let env = ProcessInfo.processInfo.environment
        func number(_ name: String) -> Double? { env["FEEDWATCH_STORY_" + name].flatMap(Double.init) }
        var s = Self()
        if let t = number("THRESHOLD") { s.threshold = t }
        if let c = number("CENTROID") { s.centroidWeight = c }
        if let h = number("HALFLIFE") { s.rarityHalfLife = h * 86_400 }
        if let p = number("POWER") { s.rarityPower = p }
        if let m = number("SHARED") { s.minimumShared = Int(m) }
        if let c = number("COMMON") { s.commonShare = c }
        if let b = number("NAMES") { s.nameWeight = b }
        if let h = number("TIME") { s.timeHalfLife = h * 86_400 }
        if let a = number("ACTOR") { s.actorPenalty = a }
        if let l = number("LEADS") { s.actorAmongLeads = l != 0 }
        if let d = number("DEMONYMS") { s.demonyms = d != 0 }
        if let w = env["FEEDWATCH_STORY_LEARNED"] {
            // "bias,w1,…,w7"
            let v = w.split(separator: ",").compactMap { Double($0) }
            s.learned = .init(weights: Array(v.dropFirst()), bias: v[0])
            s.threshold = number("THRESHOLD") ?? 0.5
        }
        return s
    }
}

/// The quality report: every stream, every arrival, ours against the plain clusterer tuned on
/// that very stream. `FEEDWATCH_STORY_REPORT=1 swift test --skip-build --filter qualityReport`
/// prints it (a markdown table, as in BENCHMARKS.md); `FEEDWATCH_STORY_*` override settings.
@Suite struct StreamQualityTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FEEDWATCH_STORY_REPORT"] != nil))
    func qualityReport() throws {
        let settings = StoryIndex.Settings.fromEnvironment()
        let withBaseline = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_REPORT"] != "fast"
        var streams: [(String, [StreamItem])] = []
        if DevStreams.available {
            streams.append(("dense", try DevStreams.load("dense")))
            streams.append(("sparse", try DevStreams.load("sparse")))
        }
        streams.append(("coverage fixture", try Coverage.stream()))
        print("settings: \(settings)")
        print("| stream | arrival | pairwise P / R / F1 | B-cubed P / R / F1 | stories | tuned baseline: pairwise F1 · B-cubed F1 (threshold) |")
        print("| --- | --- | --- | --- | --- | --- |")
        for (name, items) in streams {
            if let dump = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_DUMP"] {
                // label, story, day, title per line: to read what merged and what split.
                let stories = StreamReplay.stories(items, arrival: .oldestFirst, settings: settings)
                let lines = items.indices.map { "\(items[$0].label)\t\(stories[$0])\t\(items[$0].published.rfc3339.prefix(10))\t\(items[$0].title)" }
                try lines.joined(separator: "\n").write(toFile: "\(dump)-\(name.prefix(6)).tsv", atomically: true, encoding: .utf8)
            }
            for arrival in Arrival.allCases {
                let s = StreamReplay.score(items, arrival: arrival, settings: settings)
                var base = "–"
                if withBaseline {
                    let b = StreamReplay.tunedBaseline(items, arrival: arrival)
                    base = String(format: "%.3f · %.3f (%.2f)", b.score.pairF1, b.score.cubedF1, b.threshold)
                }
                print(String(format: "| %@ | %@ | %.3f / %.3f / **%.3f** | %.3f / %.3f / **%.3f** | %d | %@ |", name, arrival.rawValue,
                             s.pairPrecision, s.pairRecall, s.pairF1, s.cubedPrecision, s.cubedRecall, s.cubedF1, s.stories, base))
            }
        }
    }

    /// For learning the weights of `StoryIndex.Settings.learned`: replays each stream with every
    /// item forced into its labelled story and writes, for each item and each candidate story the
    /// index considered, whether it is the item's story and the features. `FEEDWATCH_STORY_FEATURES=/tmp/f`
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FEEDWATCH_STORY_FEATURES"] != nil))
    func dumpFeatures() throws {
        var streams: [(String, [StreamItem])] = [("coverage", try Coverage.stream()), ("june", try June2020.load())]
        if DevStreams.available {
            streams.append(("dense", try DevStreams.load("dense")))
            streams.append(("sparse", try DevStreams.load("sparse")))
        }
        var lines: [String] = []
        for (name, items) in streams {
            let index = StoryIndex(settings: .fromEnvironment())
            for (k, seen) in StreamReplay.placements(items, arrival: .oldestFirst) {
                let item = items[k]
                let label = item.label == "-" ? "-\(k)" : item.label
                index.forcedStory = label
                index.observe = { story, f in
                    lines.append("\(name)\t\(k)\t\(story == label ? 1 : 0)\t" + f.map { String($0) }.joined(separator: "\t"))
                }
                _ = index.add(item: Int64(k + 1), title: item.title, summary: item.summary, at: item.published, seen: seen, newStoryID: label)
            }
        }
        try lines.joined(separator: "\n").write(toFile: ProcessInfo.processInfo.environment["FEEDWATCH_STORY_FEATURES"]!, atomically: true, encoding: .utf8)
    }
}
