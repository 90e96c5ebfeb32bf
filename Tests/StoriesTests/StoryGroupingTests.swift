import Foundation
import Testing
import FeedwatchCore
@testable import Stories

/// One labelled item of `Tests/Fixtures/stories/coverage.tsv`.
struct LabelledItem {
    var at: Timestamp
    var part: String
    var event: String
    var outlet: String
    var title: String
    var summary: String
}

/// Pairwise precision and recall: of the pairs of items put in one story, how many report one
/// event; of the pairs that report one event, how many were put in one story.
struct PairwiseScore: CustomStringConvertible {
    var truePairs = 0, predictedPairs = 0, correctPairs = 0
    var precision: Double { predictedPairs == 0 ? 1 : Double(correctPairs) / Double(predictedPairs) }
    var recall: Double { truePairs == 0 ? 1 : Double(correctPairs) / Double(truePairs) }
    var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
    var description: String {
        String(format: "P %.3f R %.3f F1 %.3f (%d/%d predicted pairs right, %d true pairs)", precision, recall, f1,
               correctPairs, predictedPairs, truePairs)
    }

    /// `events`: the true label of each item ("-" is a one-off, alone by definition).
    init(events: [String], stories: [String]) {
        for i in 0..<events.count {
            for j in (i + 1)..<events.count {
                let same = events[i] != "-" && events[i] == events[j]
                let grouped = stories[i] == stories[j]
                if same { truePairs += 1 }
                if grouped { predictedPairs += 1 }
                if same && grouped { correctPairs += 1 }
            }
        }
    }
}

extension StoryIndex.Settings {
    /// The clusterer the issue names as reference: plain TF-IDF with document frequencies over
    /// the window, each item compared with story centroids.
    static func plain(threshold: Double) -> Self {
        var s = Self(threshold: threshold, centroidWeight: 1)
        s.rarityHalfLife = 0
        s.rarityPower = 1
        s.minimumShared = 1
        s.nameWeight = 0
        s.timeHalfLife = 0
        s.actorPenalty = 0
        s.mergeThreshold = 0
        return s
    }
}

enum Coverage {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/stories/coverage.tsv").path

    static func load() throws -> [LabelledItem] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 6, let at = date(f[0]) else { throw FixtureError(line: String(line)) }
            return LabelledItem(at: at, part: f[1], event: f[2], outlet: f[3], title: f[4], summary: f[5])
        }.sorted { $0.at < $1.at }
    }

    struct FixtureError: Error { var line: String }

    /// `2020-06-09T08:10:00Z`.
    static func date(_ s: String) -> Timestamp? {
        let n = s.split(whereSeparator: { "-T:Z".contains($0) }).compactMap { Int($0) }
        guard n.count == 6 else { return nil }
        return Timestamp(year: n[0], month: n[1], day: n[2], hour: n[3], minute: n[4], second: n[5])
    }

    /// Runs the stream through an index in order of publication and scores it, per part.
    /// `topicTerms`: the terms of the topic that selected the stream, as the poller passes them.
    static func score(_ items: [LabelledItem], settings: StoryIndex.Settings = .init(), part: String? = nil,
                      topicTerms: [String] = []) -> PairwiseScore {
        let index = StoryIndex(settings: settings)
        index.noteTopicTerms(topicTerms)
        var stories: [String] = []
        for (k, item) in items.enumerated() {
            let a = index.add(item: Int64(k + 1), title: item.title, summary: item.summary, at: item.at, seen: item.at,
                              newStoryID: "st_\(k)")
            stories.append(a.id)
        }
        let chosen = items.indices.filter { part == nil || items[$0].part == part }
        return PairwiseScore(events: chosen.map { items[$0].event }, stories: chosen.map { stories[$0] })
    }
}

@Suite struct StoryGroupingTests {
    /// The floor. The issue's reference — an online TF-IDF cosine clusterer with a tuned
    /// threshold — here with document frequencies over the window and story centroids, threshold
    /// tuned on part A (0.28), reaches F1 0.835 on part B, which no setting was chosen on. Ours
    /// must be clearly above the old floor on part B (F1 ≥ 0.85; measured 0.979 with names, lead
    /// actors and time), beat the plain clusterer there by 0.1 or more, and keep precision and
    /// recall each at 0.8 or more: a wrong merge hides a story from `stories: first` sinks, a wrong
    /// split costs one more alert. The fixture is small (157 items), so one wrong merge of two
    /// five-item stories moves precision by about 0.15: the floors leave room for one, not two.
    @Test func groupsRealCoverageAboveTheFloor() throws {
        let items = try Coverage.load()
        #expect(items.count > 150)
        let heldOut = Coverage.score(items, part: "B")
        let tuned = Coverage.score(items, part: "A")
        let all = Coverage.score(items)
        let plain = Coverage.score(items, settings: .plain(threshold: 0.28), part: "B")
        print("stories held-out (B): \(heldOut)\nstories tuning (A): \(tuned)\nstories all: \(all)\nplain TF-IDF (B): \(plain)")
        #expect(heldOut.f1 >= 0.85, "\(heldOut)")
        #expect(heldOut.precision >= 0.8 && heldOut.recall >= 0.8, "\(heldOut)")
        #expect(heldOut.f1 >= plain.f1 + 0.1, "\(heldOut) against \(plain)")
        #expect(all.f1 >= 0.9, "\(all)")
        // Headlines alone (many feeds have no summary): weaker, still above the reference.
        let headlines = items.map { var i = $0; i.summary = ""; return i }
        let bare = Coverage.score(headlines, part: "B")
        print("stories headlines only (B): \(bare)")
        #expect(bare.f1 >= 0.8, "\(bare)")
    }

    /// The plain clusterer's threshold was tuned on part A like ours (best F1 there: 0.986 at 0.28;
    /// 0.914 at 0.18 while a story's centroid was the frequency of its summed word counts, which
    /// flattened a big story into a list of every word it ever used).
    @Test func thePlainClustererTunedOnPartA() throws {
        let items = try Coverage.load()
        let best = stride(from: 0.04, through: 0.4, by: 0.01).map { t in (t, Coverage.score(items, settings: .plain(threshold: t), part: "A").f1) }
            .max { ($0.1, $0.0) < ($1.1, $1.0) }!
        #expect(abs(best.0 - 0.28) < 0.005 && abs(best.1 - 0.986) < 0.001, "\(best)")
    }

    /// For choosing settings: `FEEDWATCH_STORY_SWEEP=1 swift test --filter thresholdSweep` prints
    /// the scores over a range of thresholds (on part A, the tuning half; B for reference).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FEEDWATCH_STORY_SWEEP"] != nil))
    func thresholdSweep() throws {
        let items = try Coverage.load()
        if let t = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_SWEEP"].flatMap(Double.init) {
            // The mixed stories at one threshold, to see what merges wrongly.
            let weight = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_CENTROID"].flatMap(Double.init) ?? StoryIndex.defaultCentroidWeight
            var s = StoryIndex.Settings(threshold: t, centroidWeight: weight)
            if let h = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_HALFLIFE"].flatMap(Double.init) { s.rarityHalfLife = h * 86_400 }
            if let p = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_POWER"].flatMap(Double.init) { s.rarityPower = p }
            if let m = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_SHARED"].flatMap(Int.init) { s.minimumShared = m }
            let index = StoryIndex(settings: s)
            var members: [String: [LabelledItem]] = [:]
            var order: [String] = []
            for (k, item) in items.enumerated() {
                let a = index.add(item: Int64(k + 1), title: item.title, summary: item.summary, at: item.at, seen: item.at, newStoryID: "st_\(k)")
                if members[a.id] == nil { order.append(a.id) }
                members[a.id, default: []].append(item)
            }
            for id in order where Set(members[id]!.map(\.event)).count > 1 || members[id]!.contains(where: { $0.event == "-" }) && members[id]!.count > 1 {
                print("mixed \(id):"); for m in members[id]! { print("   \(m.event) | \(m.title)") }
            }
            var split: [String: Set<String>] = [:]
            for id in order { for m in members[id]! where m.event != "-" { split[m.event, default: []].insert(id) } }
            for (e, ids) in split where ids.count > 1 { print("split \(e): \(ids.count) stories") }
        }
        let weight = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_CENTROID"].flatMap(Double.init) ?? StoryIndex.defaultCentroidWeight
        for t in stride(from: 0.04, through: 0.4, by: 0.01) {
            var s = StoryIndex.Settings(threshold: t, centroidWeight: weight)
            if let h = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_HALFLIFE"].flatMap(Double.init) { s.rarityHalfLife = h * 86_400 }
            if let p = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_POWER"].flatMap(Double.init) { s.rarityPower = p }
            if let m = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_SHARED"].flatMap(Int.init) { s.minimumShared = m }
            let terms = ProcessInfo.processInfo.environment["FEEDWATCH_STORY_TERMS"].map { $0.split(separator: ",").map(String.init) } ?? []
            print(String(format: "threshold %.2f  A: %@  B: %@", t, Coverage.score(items, settings: s, part: "A", topicTerms: terms).description,
                         Coverage.score(items, settings: s, part: "B", topicTerms: terms).description))
        }
    }

    @Test func aRewordedHeadlineJoinsAndAnUnrelatedOneDoesNot() {
        let index = StoryIndex()
        let t0 = Timestamp(secondsSince1970: 1_591_660_000)
        let first = index.add(item: 1, title: "IBM will no longer offer general purpose facial recognition software",
                              summary: "Arvind Krishna wrote to Congress.", at: t0, seen: t0, newStoryID: "st_ibm")
        #expect(first == StoryAssignment(id: "st_ibm", size: 1, firstSeen: t0, isNew: true))
        let t1 = Timestamp(secondsSince1970: t0.secondsSince1970 + 3_600)
        let second = index.add(item: 2, title: "IBM abandons facial recognition products",
                               summary: "Krishna says IBM opposes mass surveillance.", at: t1, seen: t1, newStoryID: "st_2")
        #expect(second == StoryAssignment(id: "st_ibm", size: 2, firstSeen: t0, isNew: false))
        let other = index.add(item: 3, title: "Zoom adds end-to-end encryption for free users",
                              summary: "The company reversed course.", at: t1, seen: t1, newStoryID: "st_3")
        #expect(other.isNew && other.size == 1)
    }

    /// An item only matches items within the window; an old one is dropped from the index.
    @Test func theWindowBoundsMatchingAndMemory() {
        let index = StoryIndex(settings: .init(window: 72 * 3_600))
        let t0 = Timestamp(secondsSince1970: 1_600_000_000)
        _ = index.add(item: 1, title: "Clearview AI fined €20 million in Italy", summary: nil, at: t0, seen: t0, newStoryID: "st_a")
        let later = Timestamp(secondsSince1970: t0.secondsSince1970 + 4 * 86_400)
        let b = index.add(item: 2, title: "Clearview AI fined €20 million in Italy", summary: nil, at: later, seen: later, newStoryID: "st_b")
        #expect(b.id == "st_b")
        #expect(index.count == 1)
        #expect(!index.contains(item: 1))
    }

    /// Restoring an assigned item (after a restart) makes it matchable again, with its story's
    /// stored size.
    @Test func restoredItemsAreMatched() {
        let index = StoryIndex()
        let t0 = Timestamp(secondsSince1970: 1_600_000_000)
        index.restore(item: 7, title: "Rite Aid banned from using facial recognition for five years", summary: "FTC settlement",
                      at: t0, story: StoryAssignment(id: "st_rite", size: 4, firstSeen: t0, isNew: false))
        #expect(index.newestItem == 7)
        let next = Timestamp(secondsSince1970: t0.secondsSince1970 + 600)
        let a = index.add(item: 8, title: "FTC bans Rite Aid from using facial recognition", summary: nil, at: next, seen: next,
                          newStoryID: "st_new")
        #expect(a == StoryAssignment(id: "st_rite", size: 5, firstSeen: t0, isNew: false))
    }
}
