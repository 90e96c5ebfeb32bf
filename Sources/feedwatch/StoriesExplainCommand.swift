import ArgumentParser
import Config
import FeedwatchCore
import Poller
import Stories
import Store
import StoreSQLite
import TopicQuery

/// `feedwatch stories explain STORY`: why each item is in a story. The story's items are replayed
/// from the store into a fresh index with everything stored around them (as a restart would read
/// them back), and each is explained just before it is held: the words it shares with the story's
/// earlier items and their weights, its score against the threshold, and the other story it came
/// nearest to joining.
struct StoriesExplain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Why each item is in a story: shared words, their weights, its score against the threshold.")

    @OptionGroup var config: ConfigOption

    @Argument(help: "The story's id, as `feedwatch stories --json` and alerts give it (st_…).")
    var story: String

    /// Shared words shown per item at most.
    static let wordsShown = 8

    func run() throws {
        let loaded = try config.load()
        let matcher = try loaded.matcher()
        let store = try loaded.openStore()
        let members: [StoryMember]
        do {
            members = try store.storyMembers(since: Timestamp(secondsSince1970: 0))
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode.failure
        }
        guard members.contains(where: { $0.storyID == story }) else {
            Diagnostics.error("no story \(story) (feedwatch stories --json lists their ids)")
            throw ExitCode.failure
        }
        let index = PollCycle.storyIndex(loaded.stories)
        var out = ""
        for m in members {
            // The topics' words weigh as common, as they did when the poller placed the item.
            let item = FeedItem(title: m.title, summary: m.summary)
            index.noteTopicTerms(matcher.classify(item).flatMap { $0.matches.map(\.term) })
            if m.storyID == story {
                let why = index.explain(title: m.title, summary: m.summary, at: m.at, story: story)
                out += Self.text(m, why, first: out.isEmpty)
            }
            index.restore(item: m.item.hashValue64, title: m.title, summary: m.summary, at: m.at,
                          story: StoryAssignment(id: m.storyID, size: m.storySize, firstSeen: m.storyFirstSeen, isNew: false))
        }
        StandardOutput.write(Array(out.utf8))
    }

    /// One item: its time and title, then why it is in the story.
    ///
    ///     2020-06-09T08:10:00Z  IBM abandons facial recognition products
    ///         joined: score 0.412 ≥ 0.12 · shares ibm 3.87, abandon 2.95, product 1.02 · next best st_… 0.031
    static func text(_ m: StoryMember, _ why: StoryExplanation, first: Bool) -> String {
        func fixed(_ x: Double) -> String {
            let n = Int((x * 1_000).rounded())
            return "\(n / 1_000).\(String(repeating: "0", count: 3 - String(n % 1_000).count))\(n % 1_000)"
        }
        var line = "\(m.at.rfc3339)  \(m.title ?? "(untitled)")\n    "
        let threshold = fixed(why.threshold)
        if first {
            line += "started the story"
        } else if let score = why.score {
            line += score >= why.threshold ? "joined: score \(fixed(score)) ≥ \(threshold)"
                                           : "joined with score \(fixed(score)) < \(threshold) (the story scored higher when it was placed)"
        } else {
            line += "joined, but shares none of its rarer words with the story's items now held"
        }
        if !why.shared.isEmpty {
            line += " · shares " + why.shared.prefix(wordsShown).map { "\($0.word) \(fixed($0.weight))" }.joined(separator: ", ")
        }
        if let other = why.nearest {
            line += " · next best \(other.id) \(fixed(other.score))" + (other.score >= why.threshold && first ? " (≥ \(threshold))" : "")
        }
        return line + "\n"
    }
}
