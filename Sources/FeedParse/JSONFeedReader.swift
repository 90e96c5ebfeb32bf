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

        let feed = FeedInfo(
            title: doc["title"]?.string.flatMap(TextAccumulator.collapse),
            link: doc["home_page_url"]?.string.flatMap { URLResolver.resolve($0, against: base) },
            id: nil,
            description: doc["description"]?.string.flatMap(TextAccumulator.collapse),
            language: doc["language"]?.string.flatMap(TextAccumulator.collapse),
            updated: nil, ttlMinutes: nil)
        let feedAuthors = authors(doc)
        let html = HTMLTextConverter()

        var items: [FeedItem] = []
        let entries = doc["items"]?.array ?? []
        for entry in entries.prefix(options.maxItems) {
            guard case .object(let o) = entry else { continue }
            func date(_ key: String) -> Timestamp? {
                guard let text = o[key]?.string else { return nil }
                if let t = DateParser.parse(text) { return t }
                warnings.add("unparseable date \"\(text)\"")
                return nil
            }
            let content = o["content_html"]?.string.flatMap(html.plainText)
                ?? o["content_text"]?.string.flatMap(TextAccumulator.collapse)
            let ownAuthors = authors(o)
            let enclosures: [Enclosure] = (o["attachments"]?.array ?? []).compactMap { a in
                guard case .object(let at) = a, let url = at["url"]?.string.flatMap({ URLResolver.resolve($0, against: base) })
                else { return nil }
                return Enclosure(url: url, type: at["mime_type"]?.string, length: at["size_in_bytes"]?.integer)
            }
            items.append(FeedItem(
                id: o["id"]?.scalarText.flatMap { TextAccumulator.collapse($0) },
                title: o["title"]?.string.flatMap(TextAccumulator.collapse),
                link: (o["url"]?.string ?? o["external_url"]?.string).flatMap { URLResolver.resolve($0, against: base) },
                published: date("date_published"),
                updated: date("date_modified"),
                summary: o["summary"]?.string.flatMap(TextAccumulator.collapse),
                content: content,
                authors: ownAuthors.isEmpty ? feedAuthors : ownAuthors,
                categories: FeedBuilder.unique((o["tags"]?.array ?? []).compactMap { $0.string.flatMap(TextAccumulator.collapse) }),
                enclosures: enclosures))
        }
        if entries.count > options.maxItems {
            warnings.add("item cap of \(options.maxItems) reached; \(entries.count - options.maxItems) more item(s) ignored")
        }
        return ParsedFeed(format: format, feed: feed, items: items, warnings: warnings.final)
    }

    /// JSON Feed 1.1 `authors`, or 1.0's single `author`.
    private static func authors(_ o: [String: JSONValue]) -> [String] {
        let list = o["authors"]?.array ?? (o["author"].map { [$0] } ?? [])
        return FeedBuilder.unique(list.compactMap { a in
            guard case .object(let p) = a else { return nil }
            return (p["name"]?.string ?? p["url"]?.string).flatMap(TextAccumulator.collapse)
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
