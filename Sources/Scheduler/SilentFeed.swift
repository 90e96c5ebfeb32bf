public import FeedwatchCore

/// When a feed counts as silent: quiet for `silent_after` times its usual gap between new items —
/// but only once that gap is known from a rhythm. A feed that published one item years ago and a
/// second a minute after it was first polled has shown one gap of a minute, not a habit of
/// publishing every minute, and must not be called silent nine minutes later.
public enum SilentFeed {
    /// Gaps between new items (dated items of the first fetch, then polls that found something)
    /// an estimate needs before it says what is usual.
    public static let rhythmGaps = 3

    /// Seconds the feed has been quiet, if that makes it silent; `nil` otherwise.
    public static func silentFor(usualGap: Int, gapsSeen: Int, lastNewAt: Timestamp, now: Timestamp, factor: Int) -> Int? {
        guard usualGap > 0, gapsSeen >= rhythmGaps else { return nil }
        let silent = Int(now.secondsSince1970 - lastNewAt.secondsSince1970)
        return silent > factor * usualGap ? silent : nil
    }
}
