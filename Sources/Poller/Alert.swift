public import FeedwatchCore
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

    public static func record(id: String, emittedAt: Timestamp, matches: [(topic: String, matches: [TermMatch])],
                              feedURL: String, feedTitle: String?, item: FeedItem) -> String {
        var w = JSONWriter(pretty: false, capacity: 1_024)
        w.beginObject()
        w.field("alert_id", id)
        w.field("emitted_at", emittedAt.rfc3339)
        MatchesJSON.write(matches, offsets: false, to: &w)
        w.key("feed")
        w.beginObject()
        w.field("url", feedURL)
        w.field("title", feedTitle)
        w.endObject()
        w.key("item")
        w.beginObject()
        w.field("id", item.id)
        w.field("title", item.title)
        w.field("link", item.link)
        w.field("published", item.published?.rfc3339)
        w.field("summary", item.summary)
        w.field("authors", strings: item.authors)
        w.endObject()
        // Until stories are grouped (a later issue), every item is a story of its own.
        w.key("story")
        w.beginObject()
        w.field("id", "st_" + id.dropFirst(3))  // the alert id's digest: computed once
        w.field("size", 1)
        w.field("first_seen", emittedAt.rfc3339)
        w.endObject()
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
