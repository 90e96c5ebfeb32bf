import FeedwatchCore
import Normalize

/// Turns the element events of a feed document into a `ParsedFeed`. It knows what RSS, RDF and
/// Atom elements mean and nothing about libxml2: the SAX bridge feeds it namespaces, names,
/// attributes and text. Items are normalized as soon as they close, so memory holds finished
/// items, not the document.
///
/// Scoping is explicit: a frame stack of the containers we care about (channel, item, entry,
/// author, source, media group); anything else is skipped whole, so an RSS `image/title` can never
/// overwrite the channel title and an Atom `source/title` never the entry's.
final class FeedBuilder {
    enum Role: Equatable {
        case rssRoot, rdfRoot, channel, item, atomFeed, entry, source, mediaGroup
        case person(PersonOwner)
    }

    enum PersonOwner: Equatable { case feed, entry, source }

    struct Frame {
        let role: Role
        let base: String?
        let depth: Int
    }

    let options: ParseOptions
    var warnings: WarningLog
    /// Current line in the document, set by the bridge before each event (for warnings).
    var line = 0
    private(set) var format: FeedFormat?
    /// Why the document was rejected at its root, if it was.
    private(set) var rejection: String?

    var feed = FeedDraft()
    var item: ItemDraft?
    var person = PersonDraft()
    private(set) var items: [FeedItem] = []
    private var skippedItems = 0
    private var skippedDeep = 0

    private var frames: [Frame] = []
    /// The namespace an `<rss>` root was put in, when it is not RSS's own (the Atom URI, as some
    /// generators write it): its elements are read as RSS elements.
    var rssNamespaceAlias: Namespace?
    private var depth = 0
    /// Depth of the element whose subtree is being skipped.
    private var ignoreFrom: Int?
    /// The field being collected, valid while `capturing`. Not an optional: libxml2 hands text
    /// over in hundreds of thousands of pieces, and testing or unwrapping an optional struct
    /// copied it (and retained its buffers) for each one.
    private var capture = TextCapture.idle
    private var capturing = false
    /// One libxml2 HTML context for every HTML field of the document.
    private let html: HTMLTextConverter
    /// Base for relative URLs outside any `xml:base` (the document's http(s) URL).
    private let rootBase: String?
    /// The document's own `file:` URL, used only when the feed offers no better base.
    private let fileBase: String?

    init(options: ParseOptions, documentURL: String?, entities: HTMLEntities) {
        self.options = options
        self.html = HTMLTextConverter(entities: entities)
        self.warnings = WarningLog(limit: options.maxWarnings)
        if let documentURL, documentURL.lowercased().hasPrefix("file:") {
            rootBase = nil
            fileBase = documentURL
        } else {
            rootBase = documentURL
            fileBase = nil
        }
    }

    var isRejected: Bool { rejection != nil }

    // MARK: - Events

    func start(_ ns: Namespace, _ name: String, _ attributes: Attributes) {
        let ns = rssNamespaceAlias == ns ? Namespace.none : ns
        depth += 1
        if ignoreFrom != nil { return }
        if depth > options.maxDepth {
            skippedDeep += 1
            ignoreFrom = depth
            return
        }
        if capturing { capture.childStart(name); return }
        let parentBase = frames.last?.base ?? rootBase
        let base = attributes.value("base", .xml).map { URLResolver.resolve($0, against: parentBase) ?? $0 } ?? parentBase
        guard let parent = frames.last else { return startRoot(ns, name, attributes, base) }
        let role: Role?
        switch parent.role {
        case .rssRoot: role = startInRSSRoot(ns, name, attributes, base)
        case .rdfRoot: role = startInRDFRoot(ns, name, attributes, base)
        case .channel: role = startInChannel(ns, name, attributes, base)
        case .item: role = startInItem(ns, name, attributes, base)
        case .atomFeed: role = startInAtomFeed(ns, name, attributes, base)
        case .entry: role = startInEntry(ns, name, attributes, base)
        case .source: role = startInSource(ns, name)
        case .person: role = startInPerson(ns, name, base)
        case .mediaGroup: role = startInMediaGroup(ns, name, attributes, base)
        }
        if let role {
            frames.append(Frame(role: role, base: base, depth: depth))
        } else if !capturing {
            ignoreFrom = depth
        }
    }

    func end(_ name: String) {
        defer { depth -= 1 }
        if let ignoreFrom {
            if depth == ignoreFrom { self.ignoreFrom = nil }
            return
        }
        if capturing {
            if depth == capture.depth {
                capturing = false
                let c = capture
                capture = .idle
                apply(c)
            } else {
                capture.childEnd(name)
            }
            return
        }
        guard let frame = frames.last, frame.depth == depth else { return }
        frames.removeLast()
        switch frame.role {
        case .item, .entry: finishItem()
        case .person(let owner): finishPerson(owner)
        default: break
        }
    }

    func text(_ p: UnsafeBufferPointer<UInt8>) {
        guard ignoreFrom == nil, capturing else { return }
        capture.text(p, atDepth: depth)
    }

    // MARK: - Helpers for the vocabularies

    /// Starts collecting the current element's text for `field`.
    func capture(_ field: Field, _ mode: TextMode, _ base: String?) -> Role? {
        capture = TextCapture(field: field, mode: mode, depth: depth, base: base, line: line,
                              limit: field.limit(options.fieldLimits))
        capturing = true
        return nil
    }

    /// An attribute's value for `field`, cut to the field's limit (with a warning), for values
    /// that come whole from libxml2 rather than through a `TextCapture`.
    func bounded(_ value: String?, _ field: Field) -> String? {
        let (text, cut) = FieldText.capped(value, limit: field.limit(options.fieldLimits))
        if cut { noteCut(field, kept: text) }
        return text
    }

    /// Warns that `field` was cut: `item 3: title cut to 2048 characters`.
    func noteCut(_ field: Field, kept: String?) {
        let owner = field.isItemField && item != nil ? "item \(items.count + 1)" : "feed"
        warnings.add("\(owner): \(field.name) cut to \(FieldText.length(kept)) characters")
    }

    func beginItem(_ attributes: Attributes) -> Role? {
        // An item opening inside another means the previous one was never closed (libxml2's
        // recovery keeps it open): finish it rather than lose it.
        if item != nil { finishItem() }
        guard items.count < options.maxItems else {
            skippedItems += 1
            return nil
        }
        item = ItemDraft()
        item!.id.offer(bounded(attributes.value("about", .rdf).flatMap(TextAccumulator.collapse), .itemID(rank: 1)), rank: 1)
        return format?.isAtom == true ? .entry : .item
    }

    private func finishItem() {
        guard let draft = item else { return }
        item = nil
        items.append(draft.build())
    }

    private func finishPerson(_ owner: PersonOwner) {
        defer { person = PersonDraft() }
        guard let who = person.name ?? person.email else { return }
        switch owner {
        case .feed: feed.authors.append(who)
        case .entry: item?.authors.append(who)
        case .source: item?.sourceAuthors.append(who)
        }
    }

    func setRoot(_ format: FeedFormat, _ role: Role, base: String?, language: String?) {
        self.format = format
        feed.language.offer(bounded(language.flatMap(TextAccumulator.verbatim), .feedLanguage(rank: 2)), rank: 2)
        frames.append(Frame(role: role, base: base, depth: depth))
    }

    func reject(_ why: String) {
        rejection = why
        ignoreFrom = depth
    }

    func resolve(_ url: String?, _ base: String?) -> String? {
        guard let url = url.flatMap(TextAccumulator.verbatim) else { return nil }
        return URLResolver.resolve(url, against: base)
    }

    func date(_ text: String?, line: Int) -> Timestamp? {
        guard let text else { return nil }
        if let t = DateParser.parse(text) { return t }
        warnings.add(line: line, "unparseable date \"\(text)\"")
        return nil
    }

    func addEnclosure(url: String?, type: String?, length: String?, base: String?) {
        guard let url = bounded(resolve(url.flatMap(TextAccumulator.collapse), base), .itemLink(rank: 0)) else { return }
        let type = bounded(type.flatMap(TextAccumulator.collapse), .itemCategory)
        let length = length.flatMap(TextAccumulator.collapse).flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil }
        if let i = item?.enclosures.firstIndex(where: { $0.url == url }) {
            if item!.enclosures[i].type == nil { item!.enclosures[i].type = type }
            if item!.enclosures[i].length == nil { item!.enclosures[i].length = length }
            return
        }
        item?.enclosures.append(Enclosure(url: url, type: type, length: length))
    }

    // MARK: - Applying captured text

    private func apply(_ c: TextCapture) {
        let result = c.finish(html: html)
        let value = result.text
        if result.cut { noteCut(c.field, kept: value) }
        if let problem = result.problem { warnings.add(line: c.line, problem) }
        switch c.field {
        case .feedTitle(let rank): feed.title.offer(value, rank: rank)
        case .feedLink: feed.link.offer(resolve(value, c.base), rank: 0)
        case .feedID(let rank): feed.id.offer(value, rank: rank)
        case .feedDescription(let rank): feed.description.offer(value, rank: rank)
        case .feedLanguage(let rank): feed.language.offer(value, rank: rank)
        case .feedUpdated(let rank): feed.updated.offer(date(value, line: c.line), rank: rank)
        case .feedTTL: feed.ttl = value.flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        case .syndicationPeriod: feed.syndicationPeriod = value?.lowercased()
        case .syndicationFrequency: feed.syndicationFrequency = value.flatMap { Int($0) }
        case .itemID(let rank): item?.id.offer(value, rank: rank)
        case .itemTitle(let rank): item?.title.offer(value, rank: rank)
        case .itemLink(let rank): item?.link.offer(resolve(value, c.base), rank: rank)
        case .itemGUID(let permalink):
            item?.id.offer(value, rank: 0)
            if permalink, let value, Self.looksLikeWebURL(value) { item?.link.offer(resolve(value, c.base), rank: 3) }
        case .itemPublished(let rank): item?.published.offer(date(value, line: c.line), rank: rank)
        case .itemUpdated(let rank): item?.updated.offer(date(value, line: c.line), rank: rank)
        case .itemSummary(let rank):
            // Two summaries (an RSS description and a <summary>): the first is the summary, the
            // second the content when the item has no other, as the reference parser reads them.
            if rank == 0, item?.summary.rank == 0, item?.secondSummary == nil {
                item?.secondSummary = value
            } else {
                item?.summary.offer(value, rank: rank)
            }
        case .itemContent: item?.content.offer(value, rank: 0)
        case .itemCategory: if let value { item?.categories.append(value) }
        case .itemAuthor(let rss):
            if let name = value.flatMap(rss ? PersonName.fromRSSAuthor : TextAccumulator.collapse) {
                item?.authors.append(name)
            }
        case .itemContributor:
            if let name = value.flatMap(PersonName.fromRSSAuthor) { item?.contributors.append(name) }
        case .personName: person.name = person.name ?? value
        case .personEmail: person.email = person.email ?? value
        }
    }

    private static func looksLikeWebURL(_ s: String) -> Bool {
        let lower = s.prefix(8).lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    // MARK: - End of document

    func finish() throws -> ParsedFeed {
        if let rejection { throw FeedParseError.notAFeed(rejection) }
        guard let format else { throw FeedParseError.notAFeed("no RSS, RDF or Atom root element found") }
        if depth > 0 {
            // A truncated document, or one libxml2 stopped reading: keep what was read so far.
            warnings.add("document ended inside <\(openElementHint)>; its open elements were closed")
            while depth > 0 { end("") }
        }
        if skippedDeep > 0 {
            warnings.add("\(skippedDeep) element(s) nested deeper than \(options.maxDepth) levels ignored")
        }
        if skippedItems > 0 {
            warnings.add("item cap of \(options.maxItems) reached; \(skippedItems) more item(s) ignored")
        }
        var info = feed.build()
        var out = items
        if format.isAtom && !feed.authors.isEmpty {
            // RFC 4287 §4.2.1: an entry without authors has its feed's.
            for i in out.indices where out[i].authors.isEmpty { out[i].authors = Self.unique(feed.authors) }
        }
        resolveRemainingRelativeURLs(&info, &out)
        return ParsedFeed(format: format, feed: info, items: out, warnings: warnings.final)
    }

    /// A document read from a file was not fetched from a URL: its relative links resolve against
    /// the URL it declares as its own (`atom:link rel="self"`), and only when there is none against
    /// the file's `file:` URL.
    private func resolveRemainingRelativeURLs(_ info: inout FeedInfo, _ items: inout [FeedItem]) {
        let declared = feed.selfLink.map { URLResolver.resolve($0, against: fileBase) ?? $0 }
        guard let fallback = declared.flatMap({ URLResolver.isAbsolute($0) ? $0 : nil }) ?? fileBase else { return }
        func fix(_ url: String?) -> String? {
            guard let url, !URLResolver.isAbsolute(url) else { return url }
            return URLResolver.resolve(url, against: fallback)
        }
        info.link = info.link.map { URLResolver.resolve($0, against: fileBase) ?? $0 }
        for i in items.indices {
            items[i].link = fix(items[i].link)
            for j in items[i].enclosures.indices {
                items[i].enclosures[j].url = fix(items[i].enclosures[j].url) ?? items[i].enclosures[j].url
            }
        }
    }

    /// A name for the innermost open element we track, for the truncation warning.
    private var openElementHint: String {
        switch frames.last?.role {
        case .item?: return "item"
        case .entry?: return "entry"
        case .channel?: return "channel"
        case .atomFeed?: return "feed"
        default: return "element"
        }
    }

    static func unique(_ list: [String]) -> [String] {
        var seen = Set<String>()
        return list.filter { seen.insert($0).inserted }
    }
}

/// Channel-level values as they are found, before the contract's precedence is applied.
struct FeedDraft {
    var title = Ranked<String>()
    var link = Ranked<String>()
    var id = Ranked<String>()
    var description = Ranked<String>()
    var language = Ranked<String>()
    var updated = Ranked<Timestamp>()
    var ttl: Int?
    var syndicationPeriod: String?
    var syndicationFrequency: Int?
    var selfLink: String?
    var authors: [String] = []

    func build() -> FeedInfo {
        FeedInfo(title: title.value, link: link.value, id: id.value, description: description.value,
                 language: language.value, updated: updated.value, ttlMinutes: ttl ?? syndicationTTL)
    }

    /// The RSS syndication module's `updatePeriod` / `updateFrequency`, in minutes.
    private var syndicationTTL: Int? {
        let minutes: [String: Int] = ["hourly": 60, "daily": 1440, "weekly": 10_080, "monthly": 43_200, "yearly": 525_600]
        guard let period = syndicationPeriod.flatMap({ minutes[$0] }) else { return nil }
        return max(1, period / max(1, syndicationFrequency ?? 1))
    }
}

/// One item's values as they are found.
struct ItemDraft {
    var id = Ranked<String>()
    var title = Ranked<String>()
    var link = Ranked<String>()
    var published = Ranked<Timestamp>()
    var updated = Ranked<Timestamp>()
    var summary = Ranked<String>()
    var content = Ranked<String>()
    var authors: [String] = []
    var sourceAuthors: [String] = []
    /// A second summary element: the content when there is no other.
    var secondSummary: String?
    /// Dublin Core contributors: the authors only when nobody else is named.
    var contributors: [String] = []
    var categories: [String] = []
    var enclosures: [Enclosure] = []

    func build() -> FeedItem {
        FeedItem(id: id.value, title: title.value, link: link.value, published: published.value,
                 updated: updated.value, summary: summary.value, content: content.value ?? secondSummary,
                 authors: FeedBuilder.unique(!authors.isEmpty ? authors : !sourceAuthors.isEmpty ? sourceAuthors : contributors),
                 categories: FeedBuilder.unique(categories), enclosures: enclosures)
    }
}

/// An Atom person construct being read.
struct PersonDraft {
    var name: String?
    var email: String?
}
