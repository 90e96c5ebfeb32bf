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
        if let m = number("MERGE") { s.mergeThreshold = m }
        if let m = number("NEAR") { s.mergeNear = m }
        if let m = number("OWN") { s.ownShare = m }
        if let m = number("OWNEVIDENCE") { s.ownEvidence = Int(m) }
        if let m = number("OWNSAMPLE") { s.ownSample = Int(m) }
        if let m = number("SPREAD") { s.timeFromSpread = m != 0 }
        if let m = number("BURST") { s.burstSlack = m * 3_600 }
        if let m = number("BURSTITEMS") { s.burstSettled = m }
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
        streams.append(("june2020 week", try June2020.load()))
        print("settings: \(settings)")
        print("| stream | arrival | pairwise P / R / F1 | B-cubed P / R / F1 | stories | tuned baseline: pairwise F1 (threshold) · B-cubed F1 (threshold) |")
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
                    base = String(format: "%.3f (%.2f) · %.3f (%.2f)", b.pair.score.pairF1, b.pair.threshold, b.cubed.score.cubedF1, b.cubed.threshold)
                }
                print(String(format: "| %@ | %@ | %.3f / %.3f / **%.3f** | %.3f / %.3f / **%.3f** | %d | %@ |", name, arrival.rawValue,
                             s.pairPrecision, s.pairRecall, s.pairF1, s.cubedPrecision, s.cubedRecall, s.cubedF1, s.stories, base))
            }
        }
    }

    /// The dev streams at the defaults: the same stories in both orders, and floors at what the
    /// defaults measure now (BENCHMARKS.md, "Stories") — below the pairwise target on the
    /// dense stream (0.80), which is not reached yet — and at least the plain
    /// clusterer tuned on that very stream. Skipped, loudly, without the data.
    @Test(.enabled(if: DevStreams.available))
    func devStreamsAtTheDefaults() throws {
        let floors = ["dense": (pair: 0.77, cubed: 0.81), "sparse": (pair: 0.66, cubed: 0.87)]
        for name in ["dense", "sparse"] {
            let items = try DevStreams.load(name)
            let oldest = StreamReplay.stories(items, arrival: .oldestFirst, settings: .init())
            let newest = StreamReplay.stories(items, arrival: .newestFirst, settings: .init())
            #expect(OrderAndActorsTests.partition(oldest) == OrderAndActorsTests.partition(newest), "\(name): order changed the stories")
            let score = PartitionScore(labels: items.map(\.label), stories: oldest)
            let baseline = StreamReplay.tunedBaseline(items, arrival: .oldestFirst)
            print("\(name): \(score); tuned plain TF-IDF: pairwise \(baseline.pair), B-cubed \(baseline.cubed)")
            #expect(score.pairF1 >= floors[name]!.pair && score.cubedF1 >= floors[name]!.cubed, "\(name): \(score)")
            #expect(score.pairF1 >= baseline.pair.score.pairF1 && score.cubedF1 >= baseline.cubed.score.cubedF1,
                    "\(name): \(score) against \(baseline)")
        }
    }
}
