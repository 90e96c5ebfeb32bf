public import FeedwatchCore

/// The order in which a document's new items are grouped: by publication time, so that a feed
/// listing its newest item first (as nearly every feed does) and one listing its oldest first give
/// the same stories. Grouping is online — an item can only join a story that exists when it is
/// placed — so the order decides what the stories are.
///
/// Items published at the same time (day-only dates, or none: those count as published `now`,
/// when they were seen) keep the document's own sense of time: if its dated items run newest
/// first, ties are taken from the end of the document, else from its start. A document read
/// forwards or backwards therefore gives one order.
public enum PublicationOrder {
    /// Document positions in the order to group them. `published`: each item's date as the feed
    /// gave it (`nil`: none); a date after `now` counts as `now`.
    public static func positions(published: [Timestamp?], now: Timestamp) -> [Int] {
        let times = published.map { min($0 ?? now, now) }
        let rank = newestFirst(published) ? Array(times.indices.reversed()) : Array(times.indices)
        return times.indices.sorted { (times[$0], rank[$0]) < (times[$1], rank[$1]) }
    }

    /// Whether the document's dated items mostly run from newest to oldest.
    static func newestFirst(_ published: [Timestamp?]) -> Bool {
        var falling = 0, rising = 0
        var previous: Timestamp?
        for case let t? in published {
            if let p = previous {
                if t < p { falling += 1 } else if t > p { rising += 1 }
            }
            previous = t
        }
        return falling > rising
    }
}
