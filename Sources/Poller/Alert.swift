public import FeedwatchCore
public import Stories
import Store
public import TopicQuery

/// The contract's alert record: what every sink receives, written once when the item is stored
/// and never rebuilt, so a repeat delivery is byte for byte the same.
public enum Alert {
    /// Stable for an item: the same configured feed and entry key always give the same id, so
    /// even a lost database cannot alert one item under two ids.
    public static func id(feedURL: String, item: FeedItem) -> String {
        "fw_" + EntryKey.digest([feedURL, EntryKey.of(item)])
    }

    /// The id of the story an item starts: its alert id's digest, so it is as stable as that.
    public static func storyID(alertID: String) -> String { "st_" + alertID.dropFirst(3) }

    public static func record(id: String, emittedAt: Timestamp, matches: [(topic: String, matches: [TermMatch])],
                              feedURL: String, feedTitle: String?, item: FeedItem, story: StoryAssignment,
                              first: (outlet: String?, published: Timestamp)? = nil) -> String {
        var w = JSONWriter(pretty: false, capacity: 1_024)
        w.beginObject()
        head(&w, id: id, at: emittedAt)
        MatchesJSON.write(matches, offsets: false, to: &w)
        feed(&w, url: feedURL, title: feedTitle)
        w.key("item")
        w.beginObject()
        w.field("id", item.id)
        w.field("title", item.title)
        w.field("link", item.link.flatMap(URLText.followableLink))
        w.field("published", item.published?.rfc3339)
        w.field("summary", item.summary)
        w.field("authors", strings: item.authors)
        w.endObject()
        w.key("story")
        w.beginObject()
        w.field("id", story.id)
        w.field("size", Int64(story.size))
        w.field("first_seen", story.firstSeen.rfc3339)
        // The story's earliest-published item: who broke it, and when.
        if let first {
            w.key("first")
            w.beginObject()
            w.field("outlet", first.outlet)
            w.field("published", first.published.rfc3339)
            w.endObject()
        }
        w.endObject()
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The frame every record starts with, item alerts and health alerts alike.
    static func head(_ w: inout JSONWriter, id: String, at time: Timestamp) {
        w.field("alert_id", id)
        w.field("emitted_at", time.rfc3339)
    }

    static func feed(_ w: inout JSONWriter, url: String, title: String?) {
        w.key("feed")
        w.beginObject()
        w.field("url", url)
        w.field("title", title)
        w.endObject()
    }
}

/// A feed health alert: a feed started failing, recovered, or fell silent. Its record has the
/// alert record's frame (`alert_id`, `emitted_at`, `topics: ["health"]`, `feed`) with `item` and
/// `story` null and a `health` object; only sinks with `health: true` receive it.
public enum HealthAlert {
    public enum Event: String, Sendable { case failing, recovered, silent }

    public static func record(_ event: Event, feedURL: String, feedTitle: String?, at now: Timestamp,
                              errorsInRow: Int? = nil, error: String? = nil, silentFor: Int? = nil, usualGap: Int? = nil) -> (id: String, record: String) {
        let id = "hl_" + EntryKey.digest([feedURL, event.rawValue, String(now.secondsSince1970)])
        var w = JSONWriter(pretty: false, capacity: 512)
        w.beginObject()
        Alert.head(&w, id: id, at: now)
        w.field("topics", strings: ["health"])
        w.key("matches")
        w.beginObject()
        w.endObject()
        Alert.feed(&w, url: feedURL, title: feedTitle)
        w.key("item")
        w.null()
        w.key("story")
        w.null()
        w.key("health")
        w.beginObject()
        w.field("event", event.rawValue)
        w.field("errors_in_row", errorsInRow.map(Int64.init))
        w.field("error", error)
        w.field("silent_for", silentFor.map(Int64.init))
        w.field("usual_gap", usualGap.map(Int64.init))
        w.endObject()
        w.endObject()
        return (id, String(decoding: w.bytes, as: UTF8.self))
    }
}
