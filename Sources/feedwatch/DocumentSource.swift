import FeedParse
import FeedwatchCore
import HTTPTransport
import Normalize

/// SOURCE as the one-shot commands take it — an `http(s)://` URL, a file path or `file:` URL, or
/// `-` for standard input — parsed as it streams in.
enum DocumentSource {
    /// The source could not be read at all: exit 66.
    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    static func isURL(_ source: String) -> Bool {
        let lower = source.prefix(8).lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// - Throws: `Unreadable`, or `FeedParseError` when what was read is not a feed.
    static func parse(_ source: String, options: ParseOptions, charset: String?, timeoutSeconds: Int = 30) throws -> ParsedFeed {
        var page = Page()
        return try parse(source, options: options, charset: charset, timeoutSeconds: timeoutSeconds, page: &page)
    }

    /// As `parse`, but a web page that is not a feed is searched for the feeds it announces
    /// (`<link rel="alternate" type="application/rss+xml" …>`), and the first is read instead.
    /// - Returns: the feed, and the discovered feed's URL when SOURCE was a page.
    static func parseDiscovering(_ source: String, options: ParseOptions, charset: String?, timeoutSeconds: Int = 30) throws -> (ParsedFeed, String?) {
        var page = Page()
        do {
            return (try parse(source, options: options, charset: charset, timeoutSeconds: timeoutSeconds, page: &page), nil)
        } catch FeedParseError.notAFeed(let why) {
            guard FeedDiscovery.looksLikeHTML(page.bytes), let link = FeedDiscovery.links(inHTML: page.bytes, pageURL: page.url).first,
                  isURL(link.url) || link.url.lowercased().hasPrefix("file:") else { throw FeedParseError.notAFeed(why) }
            return (try parse(link.url, options: options, charset: nil, timeoutSeconds: timeoutSeconds), link.url)
        }
    }

    /// The start of what was read, kept for discovery when it turns out to be a web page.
    struct Page {
        static let keep = 512 * 1024
        var bytes: [UInt8] = []
        var url: String?
        mutating func add(_ chunk: UnsafeBufferPointer<UInt8>) {
            if bytes.count < Self.keep { bytes += chunk.prefix(Self.keep - bytes.count) }
        }
    }

    private static func parse(_ source: String, options: ParseOptions, charset: String?, timeoutSeconds: Int, page: inout Page) throws -> ParsedFeed {
        isURL(source) ? try fetch(source, options: options, charset: charset, timeoutSeconds: timeoutSeconds, page: &page)
            : try read(source, options: options, charset: charset, page: &page)
    }

    private static func fetch(_ url: String, options: ParseOptions, charset: String?, timeoutSeconds: Int, page: inout Page) throws -> ParsedFeed {
        var parser: FeedParser?
        let limits = TransferLimits(maxBytes: options.maxBytes, timeoutSeconds: timeoutSeconds)
        var kept = Page()
        defer { page = kept }
        do {
            let head = try OneShotTransfer.get(url, limits: limits) { head, chunk in
                // Created at the first byte, when the final URL and Content-Type are known.
                if parser == nil { parser = FeedParser(options: options, documentURL: head.url, charset: charset ?? head.charset) }
                kept.url = head.url
                kept.add(chunk)
                try parser!.feed(chunk)
            }
            let feedParser = parser ?? FeedParser(options: options, documentURL: head.url, charset: charset ?? head.charset)
            return try feedParser.finish()
        } catch TransferError.tooLarge {
            throw FeedParseError.tooLarge(limit: options.maxBytes)
        } catch let error as TransferError {
            throw Unreadable(description: "cannot fetch \(error)")
        }
    }

    private static func read(_ source: String, options: ParseOptions, charset: String?, page: inout Page) throws -> ParsedFeed {
        let url = documentURL(source)
        var kept = Page(url: url)
        defer { page = kept }
        do {
            let input = source == "-" ? LocalFile.standardInput() : try LocalFile(path: path(source))
            let parser = FeedParser(options: options, documentURL: url, charset: charset)
            try input.chunks { chunk in
                kept.add(chunk)
                try parser.feed(chunk)
            }
            return try parser.finish()
        } catch let error as LocalFile.Failure {
            throw Unreadable(description: error.description)
        }
    }

    /// The URL SOURCE is known by: as given for http(s), `file:///abs/path` for a file (made
    /// absolute against the working directory), `nil` for standard input.
    static func documentURL(_ source: String) -> String? {
        if isURL(source) { return source }
        if source == "-" { return nil }
        return URLResolver.fileURL(path: LocalPath.absolute(path(source)))
    }

    /// A file SOURCE's path: a `file:` URL decoded, a plain path as written (`%` and all).
    private static func path(_ source: String) -> String {
        source.lowercased().hasPrefix("file:") ? LocalPath.fromFileURL(source) : source
    }
}
