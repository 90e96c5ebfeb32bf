public import FeedwatchCore

/// What the web page, the API and `/metrics` read, and nothing more: the seam between the web
/// layer and whatever store holds the data. The executable adapts the store to it, so this module
/// never imports the store and a new store (or read models) only needs a new adapter.
///
/// Called from the server's threads, concurrently: an implementation serializes its own access.
/// Every method reads; none writes (corrections stay on the command line).
public protocol WebDataSource: Sendable {
    /// Stories seen at or after `since`, largest first.
    func stories(since: Timestamp, limit: Int) throws -> [WebStory]
    /// One story, or `nil` when there is none by that id.
    func story(id: String) throws -> WebStory?
    /// Every configured feed, in config order.
    func feeds() throws -> [WebFeed]
    /// Every configured sink.
    func outbox() throws -> [WebSink]
    /// Counts for `/metrics`.
    func figures(now: Timestamp) throws -> StoreFigures
    /// Throws unless the store answers (for `/healthz`).
    func ping() throws
}
