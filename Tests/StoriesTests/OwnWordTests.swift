import Testing
import FeedwatchCore
@testable import Stories

/// A big story's own word: when most of the latest items that use a word are in one big story,
/// an item that shares only that word with it (a side piece: "Titanfall wallpapers for your
/// Windows Phone" beside a launch covered by a hundred outlets) joins it within its coverage.
@Suite struct OwnWordTests {
    static let cities = ["Austin", "Boston", "Chicago", "Denver", "Dallas", "Seattle", "Portland", "Phoenix", "Atlanta", "Miami",
                         "Detroit", "Houston", "Memphis", "Tampa", "Omaha", "Tulsa", "Reno", "Fresno", "Boise", "Newark"]
    static let day = Timestamp(secondsSince1970: 1_394_409_600)  // 2014-03-10
    /// Shares one word with the story, the name that defines it.
    static let sidePiece = "Zorblax wallpapers for your Windows Phone, with retro themes from indie artists"

    /// Places `count` items of one story ("Zorblax launch draws crowds in <city>") ten minutes apart,
    /// after `rivals` items of another story using the same name, then the probe; returns the
    /// probe's story and the big story's.
    static func place(bigStory count: Int, rivals: Int = 0, probe: String, summary: String? = nil, after seconds: Int64 = 3_600 * 2,
                      settings: StoryIndex.Settings = .init()) -> (probe: String, big: String) {
        let index = StoryIndex(settings: settings)
        var id: Int64 = 0
        func add(_ title: String, _ summary: String? = nil, at t: Int64) -> StoryAssignment {
            id += 1
            let at = Timestamp(secondsSince1970: day.secondsSince1970 + t)
            return index.add(item: id, title: title, summary: summary, at: at, seen: at, newStoryID: "st_\(id)")
        }
        // The day's other news, a headline each: the story is a small part of the window, as in a
        // real stream (a word in a tenth of it picks out no candidates).
        for k in 0..<300 { _ = add("Qa\(k)x report on Vb\(k)y and Wc\(k)z", at: Int64(k) * 100 - 40_000) }
        // Another story using the word, in other words, earlier that day: the word is then not
        // the big story's own.
        let brokers = ["Goldman", "Barclays", "Nomura", "Jefferies", "Citi", "Macquarie", "Bernstein", "Mizuho", "Cowen", "Evercore"]
        for k in 0..<rivals {
            _ = add("Zorblax shares tumble after earnings miss as \(brokers[k % brokers.count]) cuts its price target", at: Int64(k) * 300 - 6_000)
        }
        var big = ""
        for k in 0..<count { big = add("Zorblax launch draws crowds in \(cities[k % cities.count])", at: Int64(k) * 600).id }
        return (add(probe, summary, at: seconds).id, big)
    }

    @Test func aSidePieceJoinsTheBigStoryThatOwnsItsWord() {
        let placed = Self.place(bigStory: 20, probe: Self.sidePiece)
        #expect(placed.probe == placed.big)
        // The rule is what joins it: without it, one shared and common word is not enough.
        var off = StoryIndex.Settings()
        off.ownShare = 0
        let without = Self.place(bigStory: 20, probe: Self.sidePiece, settings: off)
        #expect(without.probe != without.big)
    }

    @Test func aMentionInTheSummaryIsNotEnough() {
        let placed = Self.place(bigStory: 20, probe: "Wallpapers for your Windows Phone, with retro themes from indie artists",
                                summary: "Dark skins and pastel icons, one of them a nod to Zorblax.")
        #expect(placed.probe != placed.big)
    }

    @Test func twoMentionsInTheSummaryAreNotATitleWord() {
        // Said twice in the summary, the word weighs as much as once in a title: still a mention.
        let placed = Self.place(bigStory: 20, probe: "Wallpapers for your Windows Phone, with retro themes from indie artists",
                                summary: "Dark skins and pastel icons, one a nod to Zorblax, another to Zorblax fans.")
        #expect(placed.probe != placed.big)
    }

    @Test func aWordSharedWithAnotherStoryIsNobodysOwn() {
        // 20 of the latest 30 items using "Zorblax" are the launch's: two thirds, below 0.8.
        let placed = Self.place(bigStory: 20, rivals: 10, probe: Self.sidePiece)
        #expect(placed.probe != placed.big)
        // The share is what keeps it out: at 0.6 the word is the launch's again.
        var loose = StoryIndex.Settings()
        loose.ownShare = 0.6
        let joined = Self.place(bigStory: 20, rivals: 10, probe: Self.sidePiece, settings: loose)
        #expect(joined.probe == joined.big)
    }

    @Test func aSmallStoryOwnsNoWord() {
        // Sixteen items have not shown what their story is about beyond its words.
        let placed = Self.place(bigStory: 16, probe: Self.sidePiece)
        #expect(placed.probe != placed.big)
    }

    @Test func notPastTheStorysCoverage() {
        // Two days after a burst of three hours: a new development, not a side piece.
        let placed = Self.place(bigStory: 20, probe: Self.sidePiece, after: 2 * 86_400)
        #expect(placed.probe != placed.big)
    }
}
