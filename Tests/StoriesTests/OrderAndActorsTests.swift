import Foundation
import Testing
import FeedwatchCore
@testable import Stories

/// The week of June 8, 2020 (`Tests/Fixtures/stories/june2020-week.tsv`): IBM, Amazon and
/// Microsoft announce nearly the same thing within four days.
enum June2020 {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/stories/june2020-week.tsv").path

    static func load() throws -> [StreamItem] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 4, let at = Coverage.date(f[0]) else { throw Coverage.FixtureError(line: String(line)) }
            return StreamItem(id: "jun-\(f[2])-\(f[0])", published: at, title: f[3], summary: nil, label: f[1])
        }
    }
}

@Suite struct OrderAndActorsTests {
    /// The stories as sets of item indices, comparable across runs whatever the story ids.
    static func partition(_ stories: [String]) -> Set<Set<Int>> {
        Set(Dictionary(grouping: stories.indices, by: { stories[$0] }).values.map(Set.init))
    }

    /// Different actors, different stories: the three companies' announcements share nearly all
    /// their words ("won't sell", "police", "facial recognition technology") but not their names.
    /// (Items fed to the index newest first without the poller's publication order are another
    /// matter: Microsoft's round-ups, naming all three, then come before the stories they name.)
    @Test(arguments: [Arrival.oldestFirst, .newestFirst])
    func threeCompaniesStayThreeStories(arrival: Arrival) throws {
        let items = try June2020.load()
        let stories = StreamReplay.stories(items, arrival: arrival, settings: .init())
        var byEvent: [String: Set<String>] = [:]
        for (item, story) in zip(items, stories) { byEvent[item.label, default: []].insert(story) }
        for company in ["ibm", "amazon", "microsoft"] {
            #expect(byEvent[company]?.count == 1, "\(company) split into \(byEvent[company] ?? [])")
        }
        let companies = ["ibm", "amazon", "microsoft"].compactMap { byEvent[$0]?.first }
        #expect(Set(companies).count == 3, "companies merged: \(companies)")
        // Nor do the later events join any of them.
        for event in ["williams", "boston"] {
            #expect(byEvent[event]!.isDisjoint(with: companies), "\(event) joined a company's story")
        }
        let score = PartitionScore(labels: items.map(\.label), stories: stories)
        print("June 2020 week, \(arrival.rawValue): \(score)")
    }

    /// The same stories whatever the arrival: one document newest first, or day by day oldest
    /// first, on the coverage fixture (157 items over two years) and the June week.
    @Test func theSameStoriesOldestOrNewestFirst() throws {
        for items in [try Coverage.stream(), try June2020.load()] {
            let oldest = StreamReplay.stories(items, arrival: .oldestFirst, settings: .init())
            let newest = StreamReplay.stories(items, arrival: .newestFirst, settings: .init())
            #expect(Self.partition(oldest) == Self.partition(newest))
        }
    }

    /// A backlog that arrives newest first straight into the index (no publication order) is
    /// still grouped: the window counts from arrival, so older items are held for newer ones.
    @Test func aBacklogNewestFirstIsStillGrouped() throws {
        let items = try June2020.load()
        let stories = StreamReplay.stories(items, arrival: .newestFirstUnordered, settings: .init())
        #expect(Set(stories).count < items.count / 2, "\(Set(stories).count) stories for \(items.count) items")
    }

    @Test func publicationOrderReadsTheDocumentEitherWay() {
        let day = { (d: Int) in Timestamp(year: 2014, month: 3, day: d) }
        let now = Timestamp(year: 2014, month: 3, day: 20)!
        // Oldest first, ties (day-only dates) in document order.
        let forwards: [Timestamp?] = [day(10), day(10), day(11), day(12), day(12)]
        #expect(PublicationOrder.positions(published: forwards, now: now) == [0, 1, 2, 3, 4])
        // The same items listed newest first: the same items in the same order.
        let backwards = Array(forwards.reversed())
        #expect(PublicationOrder.positions(published: backwards, now: now) == [4, 3, 2, 1, 0])
        // No date, or one in the future: published when seen, after the dated ones (this document
        // runs newest first, so its undated top item is the newest).
        #expect(PublicationOrder.positions(published: [nil, day(25), day(11)], now: now) == [2, 1, 0])
    }
}

/// Merging after the fact: a story the index absorbed is gone for good (no later item joins it
/// under its old id), it was a story the index had named before, and the survivor is never one
/// of the stories it absorbed — what the store relies on when it moves the absorbed items.
@Suite struct StoryMergeTests {
    @Test func absorbedStoriesWereStoriesAndNeverComeBack() throws {
        var streams = [try Coverage.stream(), try June2020.load()]
        if DevStreams.available { streams.append(try DevStreams.load("dense")) }
        var merges = 0
        for items in streams {
            let index = StoryIndex()
            var named = Set<String>(), gone = Set<String>()
            for (k, seen) in StreamReplay.placements(items, arrival: .oldestFirst) {
                let item = items[k]
                let a = index.add(item: Int64(k + 1), title: item.title, summary: item.summary, at: item.published, seen: seen,
                                  newStoryID: "st_\(k)")
                #expect(!gone.contains(a.id), "item \(k) joined \(a.id), which was merged away")
                #expect(!a.absorbed.contains(a.id))
                for old in a.absorbed {
                    #expect(named.contains(old), "\(old) absorbed but never named")
                    gone.insert(old)
                }
                merges += a.absorbed.count
                named.insert(a.id)
            }
        }
        // The fixture alone has at least one sub-story merged at the defaults (BENCHMARKS.md).
        #expect(merges > 0)
    }

    /// With merging off, nothing is ever absorbed (the setting is what decides it).
    @Test func noMergesWhenOff() throws {
        var settings = StoryIndex.Settings()
        settings.mergeThreshold = 0
        let items = try Coverage.stream()
        let index = StoryIndex(settings: settings)
        for (k, seen) in StreamReplay.placements(items, arrival: .oldestFirst) {
            let item = items[k]
            let a = index.add(item: Int64(k + 1), title: item.title, summary: item.summary, at: item.published, seen: seen,
                              newStoryID: "st_\(k)")
            #expect(a.absorbed.isEmpty)
        }
    }
}
