import Normalize

/// How an element's content becomes plain text.
enum TextMode: Equatable {
    /// Trimmed only: ids, URLs, dates, numbers.
    case raw
    /// Literal text, white space collapsed (Atom `type="text"`).
    case plain
    /// HTML source (RSS `description`, `content:encoded`, Atom `type="html"`).
    case html
    /// Inline XHTML elements (Atom `type="xhtml"`).
    case xhtml
    /// An RSS title: HTML only if it contains a tag.
    case rssTitle
    /// Content we cannot show as text (Atom `src=` or base64 media).
    case skip
}

/// Collects the content of one field element, including anything nested in it, until the
/// element closes.
struct TextCapture {
    let field: Field
    var mode: TextMode
    /// Element depth of the field element itself.
    let depth: Int
    let base: String?
    let line: Int
    private var source: [UInt8] = []
    private var xhtml = TextAccumulator()
    private var skipDepth = 0

    init(field: Field, mode: TextMode, depth: Int, base: String?, line: Int) {
        self.field = field
        self.mode = mode
        self.depth = depth
        self.base = base
        self.line = line
    }

    mutating func text(_ p: UnsafeBufferPointer<UInt8>, atDepth d: Int) {
        switch mode {
        case .skip: return
        case .xhtml:
            if skipDepth == 0 { xhtml.append(p) }
        case .html where d > depth, .rssTitle where d > depth:
            // Text inside nested elements is text, not HTML source: escape it.
            for b in p {
                switch b {
                case 0x26: source.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])
                case 0x3C: source.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])
                default: source.append(b)
                }
            }
        default:
            source.append(contentsOf: p)
        }
    }

    /// An element nested in the field: structure for HTML, noise otherwise.
    mutating func childStart(_ name: String) {
        switch mode {
        case .xhtml:
            switch Markup.role(of: name) {
            case .skipped: skipDepth += 1
            case .block: xhtml.breakWord()
            case .inline: break
            }
        case .html, .rssTitle:
            mode = .html
            source.append(0x3C)
            source.append(contentsOf: name.utf8)
            source.append(0x3E)
        default: break
        }
    }

    mutating func childEnd(_ name: String) {
        guard !name.isEmpty else { return }  // closed for us at end of input
        switch mode {
        case .xhtml:
            switch Markup.role(of: name) {
            case .skipped: skipDepth = max(0, skipDepth - 1)
            case .block: xhtml.breakWord()
            case .inline: break
            }
        case .html:
            source.append(contentsOf: [0x3C, 0x2F])
            source.append(contentsOf: name.utf8)
            source.append(0x3E)
        default: break
        }
    }

    /// The field's value as the contract wants it; `nil` when empty.
    func finish(html converter: HTMLTextConverter) -> String? {
        switch mode {
        case .skip: return nil
        case .xhtml: return xhtml.string
        case .raw: return Self.trimmed(source)
        case .plain: return source.withUnsafeBufferPointer { p in
            var acc = TextAccumulator(capacity: p.count)
            acc.append(p)
            return acc.string
        }
        case .html: return source.withUnsafeBufferPointer { converter.plainText(utf8: $0) }
        case .rssTitle:
            if Markup.containsTag(source) { return source.withUnsafeBufferPointer { converter.plainText(utf8: $0) } }
            var acc = TextAccumulator(capacity: source.count)
            source.withUnsafeBufferPointer { acc.append($0) }
            return acc.string
        }
    }

    /// Ids and URLs keep inner spacing as written; only the ends are trimmed.
    private static func trimmed(_ b: [UInt8]) -> String? {
        var start = 0, end = b.count
        while start < end, b[start] == 0x20 || (b[start] >= 0x09 && b[start] <= 0x0D) { start += 1 }
        while end > start, b[end - 1] == 0x20 || (b[end - 1] >= 0x09 && b[end - 1] <= 0x0D) { end -= 1 }
        guard start < end else { return nil }
        return String(decoding: b[start..<end], as: UTF8.self)
    }
}

/// Every field an element's text can fill.
enum Field: Equatable {
    case feedTitle, feedLink, feedID(rank: Int), feedDescription, feedLanguage(rank: Int), feedUpdated(rank: Int)
    case feedTTL, syndicationPeriod, syndicationFrequency
    case itemID(rank: Int), itemTitle(rank: Int), itemLink(rank: Int), itemGUID(permalink: Bool)
    case itemPublished, itemUpdated(rank: Int), itemSummary, itemContent, itemCategory
    case itemAuthor(rss: Bool)
    case personName, personEmail
}
