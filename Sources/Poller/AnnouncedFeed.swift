internal import FeedParse

/// A configured URL that is a web page announcing its feed (`<link rel="alternate"
/// type="application/rss+xml" …>`): the poller moves to that feed, as it does for a permanent
/// redirect, and says so. Carried as the parse's failure, so the fetch thread decides it and the
/// store thread records it.
struct AnnouncedFeed: Error, CustomStringConvertible {
    var url: String
    var description: String { "a web page, not a feed; it announces \(url)" }

    /// The feed `page` announces, as the failure to report instead of `error`, when `error` says
    /// the document is not a feed.
    static func instead(of error: Error, page: PagePrefix?, pageURL: String) -> Error {
        guard case FeedParseError.notAFeed = error, let page, page.isPage == true || FeedDiscovery.looksLikeHTML(page.bytes),
              let link = FeedDiscovery.links(inHTML: page.bytes, pageURL: pageURL).first(where: {
                  let lower = $0.url.lowercased()
                  return lower.hasPrefix("http://") || lower.hasPrefix("https://")
              }) else { return error }
        return AnnouncedFeed(url: link.url)
    }
}

/// The start of a response body, kept only while it may be a web page: the first kilobyte
/// decides, and a feed (nearly every response) keeps no more than that.
struct PagePrefix {
    static let limit = 256 * 1024
    var bytes: [UInt8] = []
    /// `nil` until a kilobyte has come.
    var isPage: Bool?

    mutating func add(_ chunk: UnsafeBufferPointer<UInt8>) {
        guard isPage != false, bytes.count < Self.limit else { return }
        bytes += chunk.prefix(Self.limit - bytes.count)
        if isPage == nil && bytes.count >= 1_024 {
            isPage = FeedDiscovery.looksLikeHTML(bytes)
            if isPage == false { bytes = [] }
        }
    }
}

/// A feed found in place of a configured page, as `once` and `run` report it.
public struct FeedMove: Sendable {
    public var configured: String
    public var announced: String
}
