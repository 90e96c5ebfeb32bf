import FoundationEssentials
import FeedwatchCore
import Normalize

/// JSON Feed 1.0 and 1.1 (jsonfeed.org). The document is small next to XML feeds and has no
/// streaming use, so it is decoded whole — leniently: a field of the wrong type is ignored, not fatal.
enum JSONFeedReader {
    static func parse(_ bytes: [UInt8], documentURL: String?, options: ParseOptions) throws -> ParsedFeed {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw FeedParseError.notAFeed("invalid JSON (\(Self.describe(error)))")
        }
        guard case .object(let doc) = root, let version = doc["version"]?.string,
              version.hasPrefix("https://jsonfeed.org/version/") || version.hasPrefix("http://jsonfeed.org/version/")
        else { throw FeedParseError.notAFeed("JSON document without a jsonfeed.org version") }
        var warnings = WarningLog(limit: options.maxWarnings)
        let format: FeedFormat = version.hasSuffix("/version/1") ? .json10 : .json11
        if !version.hasSuffix("/version/1") && !version.hasSuffix("/version/1.1") {
            warnings.add("unknown JSON Feed version \"\(version)\"; read as 1.1")
        }
        let isFile = documentURL?.lowercased().hasPrefix("file:") ?? false
        let declared = doc["feed_url"]?.string.flatMap { URLResolver.isAbsolute($0) ? $0 : nil }
        let base = isFile ? (declared ?? documentURL) : (documentURL ?? declared)
        let limits = options.fieldLimits
        var owner = "feed"
        /// Every text field: collapsed (controls become spaces, bidi controls go) and capped.
        func text(_ value: String?, _ field: Field) -> String? {
            guard let value else { return nil }
            let (collapsed, cut) = TextAccumulator.collapse(value, limit: field.limit(limits))
            if cut { warnings.add("\(owner): \(field.name) cut to \(FieldText.length(collapsed)) characters") }
            return collapsed
        }
        func capped(_ value: String?, _ field: Field) -> String? {
            let (kept, cut) = FieldText.capped(value, limit: field.limit(limits))
            if cut { warnings.add("\(owner): \(field.name) cut to \(FieldText.length(kept)) characters") }
            return kept
        }
        func url(_ value: String?, _ field: Field) -> String? {
            capped(value.flatMap(TextAccumulator.verbatim).flatMap { URLResolver.resolve($0, against: base) }, field)
        }

        let feed = FeedInfo(
            title: text(doc["title"]?.string, .feedTitle(rank: 0)),
            link: url(doc["home_page_url"]?.string, .feedLink),
            id: nil,
            description: text(doc["description"]?.string, .feedDescription(rank: 0)),
            language: text(doc["language"]?.string, .feedLanguage(rank: 0)),
            updated: nil, ttlMinutes: nil)
        let feedAuthors = authors(doc, text)
        let converter = HTMLTextConverter()
        let sourceLimit = limits.content.multipliedReportingOverflow(by: FieldLimits.sourceBytesPerScalar).overflow
            ? Int.max : limits.content * FieldLimits.sourceBytesPerScalar

        var items: [FeedItem] = []
        let entries = doc["items"]?.array ?? []
        for (index, entry) in entries.prefix(options.maxItems).enumerated() {
            guard case .object(let o) = entry else { continue }
            owner = "item \(index + 1)"
            func date(_ key: String) -> Timestamp? {
                guard let text = o[key]?.string.flatMap(TextAccumulator.verbatim) else { return nil }
                if let t = DateParser.parse(text) { return t }
                warnings.add("unparseable date \"\(capped(text, .itemPublished(rank: 0)) ?? "")\"")
                return nil
            }
            let content = o["content_html"]?.string.flatMap { source in
                // The HTML is bounded before conversion too, so conversion work stays bounded.
                capped(converter.plainText(String(decoding: source.utf8.prefix(sourceLimit), as: UTF8.self)), .itemContent)
            } ?? text(o["content_text"]?.string, .itemContent)
            let ownAuthors = authors(o, text)
            let enclosures: [Enclosure] = (o["attachments"]?.array ?? []).compactMap { a in
                guard case .object(let at) = a, let link = url(at["url"]?.string, .itemLink(rank: 0)) else { return nil }
                return Enclosure(url: link, type: text(at["mime_type"]?.string, .itemCategory), length: at["size_in_bytes"]?.integer)
            }
            items.append(FeedItem(
                id: text(o["id"]?.scalarText, .itemID(rank: 0)),
                title: text(o["title"]?.string, .itemTitle(rank: 0)),
                link: url(o["url"]?.string ?? o["external_url"]?.string, .itemLink(rank: 0)),
                published: date("date_published"),
                updated: date("date_modified"),
                summary: text(o["summary"]?.string, .itemSummary(rank: 0)),
                content: content,
                authors: ownAuthors.isEmpty ? feedAuthors : ownAuthors,
                categories: FeedBuilder.unique((o["tags"]?.array ?? []).compactMap { text($0.string, .itemCategory) }),
                enclosures: enclosures))
        }
        if entries.count > options.maxItems {
            warnings.add("item cap of \(options.maxItems) reached; \(entries.count - options.maxItems) more item(s) ignored")
        }
        return ParsedFeed(format: format, feed: feed, items: items, warnings: warnings.final)
    }

    /// JSON Feed 1.1 `authors`, or 1.0's single `author`.
    private static func authors(_ o: [String: JSONValue], _ text: (String?, Field) -> String?) -> [String] {
        let list = o["authors"]?.array ?? (o["author"].map { [$0] } ?? [])
        return FeedBuilder.unique(list.compactMap { a in
            guard case .object(let p) = a else { return nil }
            return text(p["name"]?.string ?? p["url"]?.string, .itemAuthor(rss: false))
        })
    }

    private static func describe(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// Any JSON value, so that a feed with a number where a string belongs still parses.
enum JSONValue: Decodable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var string: String? { if case .string(let s) = self { return s }; return nil }
    var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }

    var integer: Int64? {
        if case .number(let n) = self, n >= 0, n < 9.0e18, n == n.rounded() { return Int64(n) }
        return nil
    }

    /// A string, or a number written as one (JSON Feed ids are strings, but not always).
    var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n == n.rounded() && abs(n) < 9.0e18 ? String(Int64(n)) : String(n)
        default: return nil
        }
    }
}
