internal import FeedParse
internal import HTTPTransport

/// How a feed's failure reads in the store, `status` and the log: each cause said once. The
/// feed itself is named by whoever prints the line (by its name where it has one), so the text
/// leaves out the URL a transfer error carries, and "not a feed" is never said twice.
enum FailureText {
    /// `Failed to connect to 127.0.0.1 port 1 …`, `HTTP 404`, `not a feed: root element <html> …`.
    static func of(_ error: Error) -> String {
        if let transfer = error as? TransferError { return transfer.reason }
        return "\(error)"
    }

    /// Why a successful response was not a feed: the parser's own words start so already.
    static func notAFeed(_ error: Error) -> String {
        let text = of(error)
        return text.hasPrefix("not a feed") ? text : "not a feed: " + text
    }
}
