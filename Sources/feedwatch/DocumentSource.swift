import FeedParse
import FeedwatchCore
import HTTPTransport

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
        isURL(source) ? try fetch(source, options: options, charset: charset, timeoutSeconds: timeoutSeconds)
            : try read(source, options: options, charset: charset)
    }

    private static func fetch(_ url: String, options: ParseOptions, charset: String?, timeoutSeconds: Int) throws -> ParsedFeed {
        var parser: FeedParser?
        let limits = TransferLimits(maxBytes: options.maxBytes, timeoutSeconds: timeoutSeconds)
        do {
            let head = try OneShotTransfer.get(url, limits: limits) { head, chunk in
                // Created at the first byte, when the final URL and Content-Type are known.
                if parser == nil { parser = FeedParser(options: options, documentURL: head.url, charset: charset ?? head.charset) }
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

    private static func read(_ source: String, options: ParseOptions, charset: String?) throws -> ParsedFeed {
        let input: DocumentInput
        do {
            input = try DocumentInput.open(source)
        } catch let error as DocumentInput.OpenError {
            throw Unreadable(description: error.description)
        }
        defer { input.close() }
        let parser = FeedParser(options: options, documentURL: input.url, charset: charset)
        do {
            try input.readAll { try parser.feed($0) }
        } catch let error as DocumentInput.OpenError {
            throw Unreadable(description: error.description)
        }
        return try parser.finish()
    }
}
