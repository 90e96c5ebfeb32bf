public import FeedwatchCore

/// A classification as the contract writes it, in `classify --format json` and in alert records:
/// `"topics": [names]` and `"matches": {topic: [{term, field, …}]}`.
public enum MatchesJSON {
    /// `offsets`: with `start`/`end` for each occurrence (`classify`); without, each term and
    /// field once (an alert says why, not where).
    public static func write(_ result: [(topic: String, matches: [TermMatch])], offsets: Bool, to w: inout JSONWriter) {
        w.field("topics", strings: result.map(\.topic))
        w.key("matches")
        w.beginObject()
        for (topic, matches) in result {
            w.key(topic)
            w.beginArray()
            var seen: Set<String> = []
            for m in matches where offsets || seen.insert("\(m.term)\u{0}\(m.field.rawValue)").inserted {
                w.beginObject()
                w.field("term", m.term)
                w.field("field", m.field.rawValue)
                if offsets {
                    w.field("start", Int64(m.start))
                    w.field("end", Int64(m.end))
                }
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
    }
}
