public import FeedwatchCore
import Store
public import TopicQuery

/// The ids an alert and its story get.
public enum AlertID {
    /// Stable for an item: the same configured feed and entry key always give the same id, so
    /// even a lost database cannot alert one item under two ids.
    public static func item(feedURL: String, item: FeedItem) -> String {
        "fw_" + EntryKey.digest([feedURL, EntryKey.of(item)])
    }

    /// The id of the story an item starts: its alert id's digest, so it is as stable as that.
    public static func story(alertID: String) -> String { "st_" + alertID.dropFirst(3) }

    /// A classification as an alert says it: each term once per field, in the order found (an
    /// alert says why, not where).
    public static func matches(_ result: [(topic: String, matches: [TermMatch])]) -> [(topic: String, matches: [Alert.Match])] {
        result.map { topic, list in
            var seen: Set<String> = []
            let unique = list.filter { seen.insert("\($0.term)\u{0}\($0.field.rawValue)").inserted }
            return (topic, unique.map { Alert.Match(term: $0.term, field: $0.field.rawValue) })
        }
    }
}
