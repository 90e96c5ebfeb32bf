extension ParsedFeed {
    /// Writes the contract's `parse --format json` object. `flush` receives the output in pieces
    /// so that a feed with thousands of items never sits in memory twice.
    public func writeJSON(pretty: Bool = true, flush: (UnsafeBufferPointer<UInt8>) -> Void) {
        var w = JSONWriter(pretty: pretty, capacity: 64 * 1024)
        w.beginObject()
        w.field("format", format.rawValue)
        w.key("feed")
        w.beginObject()
        w.field("title", feed.title)
        w.field("link", feed.link)
        w.field("id", feed.id)
        w.field("description", feed.description)
        w.field("language", feed.language)
        w.field("updated", feed.updated?.rfc3339)
        w.field("ttl_minutes", feed.ttlMinutes.map(Int64.init))
        w.endObject()
        w.key("items")
        w.beginArray()
        for item in items {
            item.writeJSON(to: &w)
            if w.bytes.count >= 60 * 1024 { w.drain(flush) }
        }
        w.endArray()
        w.field("warnings", strings: warnings)
        w.endObject()
        w.drain(flush)
    }
}

extension FeedItem {
    public func writeJSON(to w: inout JSONWriter) {
        w.beginObject()
        w.field("id", id)
        w.field("title", title)
        w.field("link", link)
        w.field("published", published?.rfc3339)
        w.field("updated", updated?.rfc3339)
        w.field("summary", summary)
        w.field("content", content)
        w.field("authors", strings: authors)
        w.field("categories", strings: categories)
        w.key("enclosures")
        w.beginArray()
        for e in enclosures {
            w.beginObject()
            w.field("url", e.url)
            w.field("type", e.type)
            w.field("length", e.length)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }
}
