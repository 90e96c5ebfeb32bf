/// The normalized form of one feed document: what `feedwatch parse` prints and what every later
/// stage (classify, dedupe, store) consumes. All text is plain, all URLs absolute, all dates UTC.
public struct ParsedFeed: Sendable, Equatable {
    public var format: FeedFormat
    public var feed: FeedInfo
    public var items: [FeedItem]
    /// Human-readable notes on what was recovered or ignored; never fatal.
    public var warnings: [String]

    public init(format: FeedFormat, feed: FeedInfo, items: [FeedItem], warnings: [String]) {
        self.format = format
        self.feed = feed
        self.items = items
        self.warnings = warnings
    }
}

/// The document's dialect, spelled as the contract spells it.
public enum FeedFormat: String, Sendable, Equatable, CaseIterable {
    case rss09x = "rss0.9x"
    case rss10 = "rss1.0"
    case rss20 = "rss2.0"
    case atom03 = "atom0.3"
    case atom10 = "atom1.0"
    case json10 = "json1.0"
    case json11 = "json1.1"

    public var isAtom: Bool { self == .atom03 || self == .atom10 }
}

/// Channel-level metadata.
public struct FeedInfo: Sendable, Equatable {
    public var title: String?
    public var link: String?
    public var id: String?
    public var description: String?
    public var language: String?
    public var updated: Timestamp?
    /// How long the publisher says the feed stays fresh (RSS `ttl`, or the syndication module).
    public var ttlMinutes: Int?

    public init(title: String? = nil, link: String? = nil, id: String? = nil, description: String? = nil,
                language: String? = nil, updated: Timestamp? = nil, ttlMinutes: Int? = nil) {
        self.title = title
        self.link = link
        self.id = id
        self.description = description
        self.language = language
        self.updated = updated
        self.ttlMinutes = ttlMinutes
    }
}

/// One entry of a feed.
public struct FeedItem: Sendable, Equatable {
    /// The guid / atom:id exactly as written (trimmed); never resolved.
    public var id: String?
    public var title: String?
    public var link: String?
    public var published: Timestamp?
    public var updated: Timestamp?
    public var summary: String?
    public var content: String?
    public var authors: [String]
    public var categories: [String]
    public var enclosures: [Enclosure]

    public init(id: String? = nil, title: String? = nil, link: String? = nil, published: Timestamp? = nil,
                updated: Timestamp? = nil, summary: String? = nil, content: String? = nil,
                authors: [String] = [], categories: [String] = [], enclosures: [Enclosure] = []) {
        self.id = id
        self.title = title
        self.link = link
        self.published = published
        self.updated = updated
        self.summary = summary
        self.content = content
        self.authors = authors
        self.categories = categories
        self.enclosures = enclosures
    }
}

/// A media file attached to an item (RSS enclosure, Atom `rel="enclosure"`, Media RSS).
public struct Enclosure: Sendable, Equatable {
    public var url: String
    public var type: String?
    public var length: Int64?

    public init(url: String, type: String? = nil, length: Int64? = nil) {
        self.url = url
        self.type = type
        self.length = length
    }
}
