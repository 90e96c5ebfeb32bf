import Config
import FeedParse
import FeedwatchCore
import Poller
import Stories
import TopicQuery

/// `classify --feeds` and `classify --stored`: tuning topics on real data. Every item of every
/// configured feed (fetched once, no state touched), or every item the store holds from a recent
/// period, is classified with the config's topics as they are now; the matching ones — those that
/// would alert — are grouped into stories by a fresh grouping index, in publication order, as the
/// daemon would group them. Pure but for the reading: `report` takes what was read.
enum ClassifyMany {
    /// One item as read, with where it came from.
    struct Entry {
        var feedURL: String
        var feedName: String?
        var item: FeedItem
        /// When the daemon would place it in time: published, else when seen.
        var at: Timestamp
    }

    /// One classified item.
    struct Row {
        var entry: Entry
        var topics: ClassifyReport.Result
        /// The story it would join (its index in `stories`), when it matches a topic.
        var story: Int?
    }

    struct Story {
        var id: String
        var title: String?
        var rows: [Int]
    }

    /// Classifies `entries` and groups the matching ones, in publication order.
    static func classify(_ entries: [Entry], matcher: TopicMatcher, settings: StorySettings) -> (rows: [Row], stories: [Story]) {
        var rows = entries.map { Row(entry: $0, topics: matcher.classify($0.item, feedName: $0.feedName, feedURL: $0.feedURL), story: nil) }
        let index = PollCycle.storyIndex(settings)
        var stories: [Story] = []
        var byID: [String: Int] = [:]
        let order = rows.indices.filter { !rows[$0].topics.isEmpty }.sorted { (rows[$0].entry.at, $0) < (rows[$1].entry.at, $1) }
        for k in order {
            let e = rows[k].entry
            index.noteTopicTerms(rows[k].topics.flatMap { $0.matches.map(\.term) })
            let alertID = AlertID.item(feedURL: e.feedURL, item: e.item)
            let story = index.add(item: Int64(k + 1), title: e.item.title, summary: e.item.summary, at: e.at, seen: e.at,
                                  newStoryID: AlertID.story(alertID: alertID))
            let s = byID[story.id] ?? {
                stories.append(Story(id: story.id, title: e.item.title, rows: []))
                byID[story.id] = stories.count - 1
                return stories.count - 1
            }()
            stories[s].rows.append(k)
            rows[k].story = s
        }
        return (rows, stories)
    }

    /// The text report: per feed its matching items and the story each joins, then the stories
    /// largest first, then a count.
    static func text(_ rows: [Row], _ stories: [Story], failures: [(feed: String, error: String)]) -> String {
        var out = ""
        // Stories numbered largest first, so a number reads as a rank.
        let ranked = stories.indices.sorted { (stories[$0].rows.count, -$0) > (stories[$1].rows.count, -$1) }
        var number: [Int: Int] = [:]
        for (n, s) in ranked.enumerated() { number[s] = n + 1 }
        var feeds: [String] = []
        var perFeed: [String: [Int]] = [:]
        for (k, row) in rows.enumerated() {
            if perFeed[row.entry.feedURL] == nil { feeds.append(row.entry.feedURL) }
            perFeed[row.entry.feedURL, default: []].append(k)
        }
        for feed in feeds {
            let ks = perFeed[feed]!
            let matching = ks.filter { !rows[$0].topics.isEmpty }
            let name = rows[ks[0]].entry.feedName.map { "\($0) <\(feed)>" } ?? feed
            out += "\(name): \(CycleReport.count(ks.count, "item")), \(matching.count) would alert\n"
            for k in matching {
                let r = rows[k]
                let size = r.story.map { stories[$0].rows.count } ?? 1
                out += "  [\(r.topics.map(\.topic).joined(separator: ", "))] \(r.entry.item.title ?? "(untitled)")"
                    + (r.story.map { "  \u{2192} story \(number[$0]!)" + (size > 1 ? " (\(size) items)" : "") } ?? "") + "\n"
            }
        }
        if !ranked.isEmpty {
            out += "\nStories, largest first:\n"
            for s in ranked {
                let story = stories[s]
                let outlets = story.rows.map { rows[$0].entry.feedName ?? rows[$0].entry.feedURL }
                var seen = Set<String>()
                out += "  \(number[s]!). \(CycleReport.count(story.rows.count, "item")) \"\(story.title ?? "(untitled)")\" ("
                    + outlets.filter { seen.insert($0).inserted }.joined(separator: ", ") + ")\n"
            }
        }
        for f in failures { out += "\nnot read: \(f.feed): \(f.error)" }
        if !failures.isEmpty { out += "\n" }
        let alerting = rows.filter { !$0.topics.isEmpty }.count
        out += "\n\(alerting) of \(CycleReport.count(rows.count, "item")) in \(CycleReport.count(feeds.count, "feed")) would alert, "
            + "in \(stories.count) stor\(stories.count == 1 ? "y" : "ies")" + (failures.isEmpty ? "" : "; \(failures.count) not read") + "\n"
        return out
    }

    /// The JSON report: `{"items": [...]}` as `classify` writes it, each with its `feed` and the
    /// `story` it would join (`null` when it matches no topic), then the stories.
    static func json(_ rows: [Row], _ stories: [Story]) -> [UInt8] {
        var w = JSONWriter(pretty: true, capacity: 64 * 1024)
        w.beginObject()
        w.key("items")
        w.beginArray()
        for r in rows {
            w.beginObject()
            w.field("feed", r.entry.feedURL)
            w.field("id", r.entry.item.id)
            w.field("title", r.entry.item.title)
            w.field("link", r.entry.item.link)
            w.field("published", r.entry.item.published?.rfc3339)
            MatchesJSON.write(r.topics, offsets: true, to: &w)
            w.key("story")
            if let s = r.story {
                w.beginObject()
                w.field("id", stories[s].id)
                w.field("size", Int64(stories[s].rows.count))
                w.endObject()
            } else {
                w.null()
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes + Array("\n".utf8)
    }
}
