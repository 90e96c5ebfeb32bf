import FeedwatchCore
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
    /// Base64-encoded content (Atom 0.3 `mode="base64"`; Atom 1.0 content of a media type that is
    /// neither text nor XML, RFC 4287 §4.1.3.3), decoded and then read as HTML or as literal text.
    case base64(html: Bool)
    /// Content we cannot show as text (Atom `src=`).
    case skip
}

/// A captured field's value.
struct FieldValue {
    var text: String?
    /// Whether it was cut to the field's limit.
    var cut = false
    /// Why content was dropped, for a warning.
    var problem: String?
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
    /// Most Unicode scalars the field keeps.
    let limit: Int
    private var source: [UInt8] = []
    /// Most bytes of raw content buffered: the buffer stops growing here, whatever the input
    /// (0 once it has).
    private var sourceLimit: Int
    /// Whether raw content past `sourceLimit` was thrown away.
    private var sourceCut = false
    private var xhtml: TextAccumulator
    private var skipDepth = 0

    init(field: Field, mode: TextMode, depth: Int, base: String?, line: Int, limit: Int) {
        self.field = field
        self.mode = mode
        self.depth = depth
        self.base = base
        self.line = line
        self.limit = limit
        let (bytes, overflow) = limit.multipliedReportingOverflow(by: FieldLimits.sourceBytesPerScalar)
        self.sourceLimit = overflow ? .max : bytes
        self.xhtml = TextAccumulator(limit: limit)
    }

    /// A capture of nothing, for when no field is open.
    static var idle: TextCapture { TextCapture(field: .feedTTL, mode: .skip, depth: -1, base: nil, line: 0, limit: 0) }

    mutating func text(_ p: UnsafeBufferPointer<UInt8>, atDepth d: Int) {
        switch mode {
        case .skip: return
        case .xhtml:
            if skipDepth == 0 { xhtml.append(p) }
        case .html where d > depth, .rssTitle where d > depth:
            // Text inside nested elements is text, not HTML source: escape it.
            for b in p {
                switch b {
                case 0x26: appendSource(Self.escapedAmpersand)
                case 0x3C: appendSource(Self.escapedLessThan)
                default: appendSource(b)
                }
            }
        default:
            // One comparison in the common case: `sourceLimit` drops to 0 once the field is cut.
            if source.count + p.count <= sourceLimit { source.append(contentsOf: p) } else { appendSource(p) }
        }
    }

    /// Adds raw content up to `sourceLimit`; past it the field is cut, at a UTF-8 character
    /// boundary, and nothing more is taken. The cut falls on the same byte however the document
    /// was chunked, because it depends only on the content before it.
    private mutating func appendSource(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !sourceCut else { return }
        let room = sourceLimit - source.count
        if bytes.count <= room {
            source.append(contentsOf: bytes)
            return
        }
        sourceCut = true
        sourceLimit = 0
        source.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<max(0, room)]))
        Self.dropPartialCharacter(&source)
    }

    private mutating func appendSource(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { appendSource($0) }
    }

    private mutating func appendSource(_ byte: UInt8) {
        guard !sourceCut else { return }
        if source.count < sourceLimit {
            source.append(byte)
        } else {
            sourceCut = true
            sourceLimit = 0
            Self.dropPartialCharacter(&source)
        }
    }

    private mutating func appendSource(_ text: String) {
        var text = text
        text.withUTF8 { appendSource($0) }
    }

    private static let escapedAmpersand: [UInt8] = Array("&amp;".utf8)
    private static let escapedLessThan: [UInt8] = Array("&lt;".utf8)

    /// Removes a UTF-8 sequence cut off at the end of `b`.
    private static func dropPartialCharacter(_ b: inout [UInt8]) {
        var lead = b.count - 1
        while lead >= 0, b.count - lead <= 4, b[lead] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= 0, b[lead] >= 0xC0 else { return }
        let length = b[lead] >= 0xF0 ? 4 : b[lead] >= 0xE0 ? 3 : 2
        if b.count - lead < length { b.removeSubrange(lead...) }
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
            appendSource(0x3C)
            appendSource(name)
            appendSource(0x3E)
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
            appendSource(0x3C)
            appendSource(0x2F)
            appendSource(name)
            appendSource(0x3E)
        default: break
        }
    }

    /// The field's value as the contract wants it (`nil` when empty), and whether it was cut to
    /// its limit.
    func finish(html converter: HTMLTextConverter) -> FieldValue {
        let text: String?
        switch mode {
        case .skip: return FieldValue()
        case .xhtml: return FieldValue(text: xhtml.string, cut: xhtml.truncated)
        case .base64(let html):
            switch Self.decodeBase64(source) {
            case .failure(let problem): return FieldValue(problem: problem.rawValue)
            case .success(let decoded):
                text = decoded.withUnsafeBufferPointer { p in
                    if html { return converter.plainText(utf8: p) }
                    var acc = TextAccumulator(capacity: p.count, limit: limit)
                    acc.append(p)
                    return acc.string
                }
            }
        case .raw: text = source.withUnsafeBufferPointer { TextAccumulator.verbatim($0) }
        case .plain: return collapsed()
        case .html: text = source.withUnsafeBufferPointer { converter.plainText(utf8: $0) }
        case .rssTitle:
            if !Markup.containsTag(source) { return collapsed() }
            text = source.withUnsafeBufferPointer { converter.plainText(utf8: $0) }
        }
        let (capped, cut) = FieldText.capped(text, limit: limit)
        return FieldValue(text: capped, cut: cut || sourceCut)
    }

    private func collapsed() -> FieldValue {
        var acc = TextAccumulator(capacity: source.count, limit: limit)
        source.withUnsafeBufferPointer { acc.append($0) }
        return FieldValue(text: acc.string, cut: acc.truncated || sourceCut)
    }

    enum Base64Problem: String, Error {
        case invalid = "invalid base64 content skipped"
        case binary = "base64 content that is not UTF-8 text skipped"
    }

    /// Base64 as feeds write it: white space (line breaks every 76 characters) ignored, missing
    /// padding tolerated. The result must be UTF-8 text: an image has no plain-text form.
    static func decodeBase64(_ source: [UInt8]) -> Result<[UInt8], Base64Problem> {
        var chars = source.filter { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        if chars.count % 4 == 1 { return .failure(.invalid) }
        while chars.count % 4 != 0 { chars.append(0x3D) }
        guard let bytes = Base64.decode(String(decoding: chars, as: UTF8.self)) else { return .failure(.invalid) }
        guard !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil else { return .failure(.binary) }
        return .success(bytes)
    }
}

/// Bounding text that was converted whole.
enum FieldText {
    /// `text` cut to `limit` Unicode scalars (trailing white space trimmed), and whether it was cut.
    static func capped(_ text: String?, limit: Int) -> (String?, Bool) {
        guard let text, text.utf8.count > limit else { return (text, false) }
        let scalars = text.unicodeScalars
        guard scalars.count > limit else { return (text, false) }
        var kept = String(String.UnicodeScalarView(scalars.prefix(limit)))
        while kept.utf8.last == 0x20 { kept.removeLast() }
        return (kept.isEmpty ? nil : kept, true)
    }

    /// Unicode scalars in `text`, for the warning.
    static func length(_ text: String?) -> Int { text?.unicodeScalars.count ?? 0 }
}

/// Every field an element's text can fill.
enum Field: Equatable {
    case feedTitle(rank: Int), feedLink, feedID(rank: Int), feedDescription(rank: Int), feedLanguage(rank: Int), feedUpdated(rank: Int)
    case feedTTL, syndicationPeriod, syndicationFrequency
    case itemID(rank: Int), itemTitle(rank: Int), itemLink(rank: Int), itemGUID(permalink: Bool)
    case itemPublished(rank: Int), itemUpdated(rank: Int), itemSummary(rank: Int), itemContent, itemCategory
    /// `rss`: written as RSS `author` or Dublin Core (`email (Name)`, `Name (email)`) rather than as a name.
    case itemAuthor(rss: Bool)
    /// Dublin Core `contributor`: an author only when the item names no other.
    case itemContributor
    case personName, personEmail
}

extension Field {
    /// The field's name in warnings (`item 3: title cut to 2048 characters`).
    var name: String {
        switch self {
        case .feedTitle, .itemTitle: return "title"
        case .feedLink, .itemLink: return "link"
        case .feedID, .itemID, .itemGUID: return "id"
        case .feedDescription: return "description"
        case .feedLanguage: return "language"
        case .feedUpdated, .itemPublished, .itemUpdated: return "date"
        case .feedTTL, .syndicationPeriod, .syndicationFrequency: return "update period"
        case .itemSummary: return "summary"
        case .itemContent: return "content"
        case .itemCategory: return "category"
        case .itemAuthor, .itemContributor, .personName: return "author"
        case .personEmail: return "author e-mail"
        }
    }

    /// Whether the field belongs to the item being read rather than to the feed.
    var isItemField: Bool {
        switch self {
        case .feedTitle, .feedLink, .feedID, .feedDescription, .feedLanguage, .feedUpdated,
             .feedTTL, .syndicationPeriod, .syndicationFrequency: return false
        default: return true
        }
    }

    /// Most Unicode scalars the field keeps.
    func limit(_ limits: FieldLimits) -> Int {
        switch self {
        case .feedTitle, .itemTitle: return limits.title
        case .feedDescription, .itemSummary: return limits.summary
        case .itemContent: return limits.content
        case .feedLink, .itemLink, .feedID, .itemID, .itemGUID: return limits.identifier
        default: return limits.word
        }
    }
}
