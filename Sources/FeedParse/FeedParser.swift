public import FeedwatchCore
import Normalize

/// Parses one feed document pushed in chunks as they arrive, so the poller can parse while it
/// downloads and memory holds finished items rather than the document.
///
///     bytes → InputDecoder (charset → clean UTF-8) → MarkupRepair (entities) → libxml2 SAX → FeedBuilder
///                                                 ↘ JSON Feed (documents starting with `{`)
///
/// The output does not depend on how the input is chunked.
public final class FeedParser {
    private let options: ParseOptions
    private let documentURL: String?
    private var decoder: InputDecoder
    private var received = 0
    private var finished = false
    /// Where decoded bytes go, chosen by the first byte that is not white space.
    private var sink = Sink.undecided
    /// One HTML entity cache for the whole parse: the repair stage and the HTML converter both
    /// look names up.
    private let entities = HTMLEntities()
    private var repair: MarkupRepair
    private var json: [UInt8] = []
    /// White space seen before the first markup; an error only before an XML declaration.
    private var skippedLeadingWhitespace = false
    private var whitespaceBeforeDeclaration = false

    private enum Sink {
        case undecided
        case xml(XMLFeedReader)
        case json
    }

    /// - Parameters:
    ///   - documentURL: where the document came from (`https://…`, or `file:///…` for a file);
    ///     relative URLs resolve against it.
    ///   - charset: the charset from HTTP `Content-Type`, if any.
    public init(options: ParseOptions = ParseOptions(), documentURL: String? = nil, charset: String? = nil) {
        self.options = options
        self.documentURL = documentURL
        self.decoder = InputDecoder(callerCharset: charset)
        self.repair = MarkupRepair(entities: entities)
    }

    /// Parses a whole document at once.
    public static func parse(_ bytes: [UInt8], options: ParseOptions = ParseOptions(), documentURL: String? = nil,
                             charset: String? = nil) throws -> ParsedFeed {
        let parser = FeedParser(options: options, documentURL: documentURL, charset: charset)
        try parser.feed(bytes)
        return try parser.finish()
    }

    public func feed(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try feed($0) }
    }

    /// Feeds the next chunk. Throws `FeedParseError.tooLarge` once the size cap is passed; the
    /// caller should stop the transfer.
    public func feed(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        received += bytes.count
        guard received <= options.maxBytes else { throw FeedParseError.tooLarge(limit: options.maxBytes) }
        decoder.feed(bytes) { route($0) }
    }

    /// Ends the document and returns the feed, or throws if it is not one.
    public func finish() throws -> ParsedFeed {
        precondition(!finished, "FeedParser.finish() called twice")
        finished = true
        decoder.finish { route($0) }
        if whitespaceBeforeDeclaration { decoder.note("white space before the XML declaration removed") }
        switch sink {
        case .undecided:
            throw FeedParseError.empty
        case .json:
            var feed = try JSONFeedReader.parse(json, documentURL: documentURL, options: options)
            feed.warnings = decoder.warnings + feed.warnings
            return feed
        case .xml(let reader):
            repair.process(UnsafeBufferPointer(start: nil, count: 0), final: true) { reader.feed($0) }
            reader.finish()
            let builder = reader.builder
            for (name, line) in repair.recoveredEntities {
                builder.warnings.add(line: line, "undefined entity &\(name); recovered")
            }
            for (name, line) in repair.undefinedEntities {
                builder.warnings.add(line: line, "undefined entity &\(name); kept as text")
            }
            for (name, line, why) in repair.refusedEntities {
                builder.warnings.add(line: line, "entity &\(name); not expanded: \(why); kept as text")
            }
            if repair.doctypeTooLong {
                builder.warnings.add("internal DTD subset longer than \(DoctypeRecorder.maxBytes / 1024) KB: entities declared past that are not expanded")
            }
            if repair.bareAmpersands > 0 {
                builder.warnings.add("\(repair.bareAmpersands) unescaped '&' read as text")
            }
            var feed = try builder.finish()
            feed.warnings = decoder.warnings + feed.warnings
            return feed
        }
    }

    /// Sends decoded UTF-8 to the XML or the JSON reader, chosen by the first non-blank byte.
    private func route(_ p: UnsafeBufferPointer<UInt8>) {
        switch sink {
        case .xml(let reader):
            repair.process(p, final: false) { reader.feed($0) }
        case .json:
            json.append(contentsOf: p)
        case .undecided:
            guard let first = p.firstIndex(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
                if !p.isEmpty { skippedLeadingWhitespace = true }
                return
            }
            let rest = UnsafeBufferPointer(rebasing: p[first...])
            if p[first] == 0x7B {
                sink = .json
                json.append(contentsOf: rest)
                return
            }
            // libxml2 rejects an XML declaration that does not start the document (a PHP classic);
            // the blank lines are dropped instead, and said so.
            whitespaceBeforeDeclaration = (first > 0 || skippedLeadingWhitespace) && rest.starts(with: "<?xml".utf8)
            sink = .xml(XMLFeedReader(builder: FeedBuilder(options: options, documentURL: documentURL, entities: entities)))
            route(rest)
        }
    }
}
