import ArgumentParser
import Config
import FeedwatchCore
import Store
import StoreSQLite
import Web

/// `feedwatch stories`: what the press has been covering lately, one story per event, largest
/// first, with the items that make it up and the copies of each found elsewhere.
struct StoriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stories",
        abstract: "List recent stories, largest first: title, size, first and last seen, topics, items.",
        subcommands: [StoriesExplain.self, StoriesMerge.self, StoriesSplit.self, StoriesMute.self, StoriesUnmute.self])

    @OptionGroup var config: ConfigOption

    @Option(help: ArgumentHelp("Stories that grew within this long (90s, 15m, 24h, 7d).", valueName: "duration"))
    var since = "24h"

    @Option(help: "Show at most this many stories.")
    var limit = 1_000

    @Flag(help: "JSON Lines, one story per line.")
    var json = false

    func validate() throws {
        guard DurationValue.seconds(since) != nil else {
            throw ValidationError("--since: \"\(since)\" is not a duration (examples: 90s, 15m, 24h, 7d)")
        }
        guard limit > 0 else { throw ValidationError("--limit: must be at least 1") }
    }

    func run() throws {
        let loaded = try config.load()
        let store = try loaded.openStore()
        let seconds = Int64(DurationValue.seconds(since) ?? 86_400)
        let stories: [StoredStory]
        do {
            stories = try store.stories(since: Timestamp(secondsSince1970: Timestamp.now().secondsSince1970 - seconds), limit: limit)
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode.failure
        }
        if json {
            for s in stories { StandardOutput.write(Self.json(s) + Array("\n".utf8)) }
            return
        }
        let names = loaded.feedNames
        StandardOutput.write(Array(Self.text(stories, since: since, names: names).utf8))
    }

    /// The contract's `stories --json` line: the object `/api/stories` lists, from one writer.
    static func json(_ s: StoredStory) -> [UInt8] { APIJSON.story(WebStory(s)) }

    /// For people: a story a paragraph (one face: the earliest-published item's title, items and
    /// outlets both when they differ, published and seen spans), its items indented under it in
    /// publication order.
    ///
    ///     5 items from 4 outlets  "IBM will no longer offer general purpose facial recognition software"
    ///         published 2026-11-21T07:55:00Z … 2026-11-22T06:00:00Z · seen 2026-11-21T08:00:00Z … 2026-11-22T06:10:00Z · facial-recognition, police
    ///         The Verge: IBM will no longer offer, develop, or research facial … <https://…>
    ///             also in https://other.example/feed.xml <https://…?utm_source=x>
    static func text(_ stories: [StoredStory], since: String, names: [String: String]) -> String {
        guard !stories.isEmpty else { return "no stories in the last \(since)\n" }
        var out = ""
        for s in stories {
            // Items and outlets both, when they differ (one outlet's follow-ups are not more coverage).
            let outlets = s.outlets == s.size ? "" : " from \(s.outlets) outlet\(s.outlets == 1 ? "" : "s")"
            out += "\(s.size) item\(s.size == 1 ? " " : "s")\(outlets)  \"\(s.title ?? "(untitled)")\"\n"
            let published = s.firstPublished.map { first in
                "published \(first.rfc3339)" + (s.lastPublished.map { $0 == first ? "" : " … \($0.rfc3339)" } ?? "") + " · "
            } ?? ""
            out += "    \(published)seen \(s.firstSeen.rfc3339) … \(s.lastSeen.rfc3339)" + (s.topics.isEmpty ? "" : " · " + s.topics.joined(separator: ", ")) + "\n"
            for item in s.items {
                out += "    \(names[item.feed] ?? item.feed): \(item.title ?? "(untitled)")" + (item.link.map { " <\($0)>" } ?? "") + "\n"
                for d in item.duplicates {
                    out += "        also in \(names[d.feed] ?? d.feed)" + (d.link.map { " <\($0)>" } ?? "") + "\n"
                }
            }
        }
        return out
    }
}
