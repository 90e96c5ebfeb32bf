import FeedwatchCore

/// `/api/stories` and `/api/feeds`: the `stories --json` and `status --json` objects, as JSON
/// arrays, written with the project's own key-ordered writer.
public enum APIJSON {
    public static func stories(_ stories: [WebStory]) -> [UInt8] {
        var w = JSONWriter(pretty: false, capacity: 4_096)
        w.beginArray()
        for s in stories { story(s, into: &w) }
        w.endArray()
        return w.bytes + [0x0A]
    }

    /// One story as `stories --json` prints it (a line each) and `/api/stories` lists it: written
    /// here only, so the two cannot drift apart.
    public static func story(_ s: WebStory) -> [UInt8] {
        var w = JSONWriter(pretty: false, capacity: 1_024)
        story(s, into: &w)
        return w.bytes
    }

    private static func story(_ s: WebStory, into w: inout JSONWriter) {
        w.beginObject()
        w.field("id", s.id)
        w.field("title", s.title)
        w.field("size", Int64(s.size))
        w.field("first_seen", s.firstSeen.rfc3339)
        w.field("last_seen", s.lastSeen.rfc3339)
        w.field("first_published", s.firstPublished?.rfc3339)
        w.field("last_published", s.lastPublished?.rfc3339)
        w.field("outlets", Int64(s.outlets))
        w.field("topics", strings: s.topics)
        w.key("items")
        w.beginArray()
        for item in s.items {
            w.beginObject()
            w.field("feed", item.feed)
            w.field("id", item.id)
            w.field("title", item.title)
            w.field("link", item.link)
            w.field("published", item.published?.rfc3339)
            w.key("duplicates")
            w.beginArray()
            for d in item.duplicates {
                w.beginObject()
                w.field("feed", d.feed)
                w.field("link", d.link)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    public static func feeds(_ feeds: [WebFeed]) -> [UInt8] {
        var w = JSONWriter(pretty: false, capacity: 4_096)
        w.beginArray()
        for f in feeds {
            w.beginObject()
            w.field("url", f.url)
            w.field("name", f.name)
            w.field("health", f.health.rawValue)
            w.field("last_fetch", f.lastFetch?.rfc3339)
            w.field("status", f.status.map(Int64.init))
            w.field("error", f.error)
            w.field("errors_in_row", Int64(f.errorsInRow))
            w.field("next_poll", f.nextPoll?.rfc3339)
            w.field("last_new_item", f.lastNew?.rfc3339)
            w.field("items_seen", Int64(f.itemsSeen))
            w.endObject()
        }
        w.endArray()
        return w.bytes + [0x0A]
    }
}
