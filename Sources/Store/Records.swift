public import FeedwatchCore

/// A configured feed as the store keeps it: identity, HTTP validators, health and schedule.
public struct FeedRecord: Equatable, Sendable {
    public var id: Int64
    public var url: String
    public var currentURL: String
    public var etag: String?
    public var lastModified: String?
    public var lastFetchAt: Timestamp?
    public var lastStatus: Int?
    public var lastError: String?
    public var errorsInRow: Int
    public var nextDueAt: Timestamp
    public var gone: Bool
    /// Whether the feed has been fetched successfully before (its first items are "already there").
    public var fetchedOnce: Bool
    public var itemsSeen: Int
    /// Typical seconds between polls that found new items (a moving average), once known.
    public var publishGap: Int?
    /// When a poll last found a new item.
    public var lastNewAt: Timestamp?
    /// A "silent" health alert went out and no new item came since.
    public var silentAlerted = false
    /// How many gaps between new items `publishGap` rests on (dated items of the first fetch,
    /// then one per poll that found something new).
    public var gapsSeen = 0

    public init(id: Int64, url: String, currentURL: String, etag: String? = nil, lastModified: String? = nil, lastFetchAt: Timestamp? = nil,
                lastStatus: Int? = nil, lastError: String? = nil, errorsInRow: Int = 0, nextDueAt: Timestamp, gone: Bool = false,
                fetchedOnce: Bool = false, itemsSeen: Int = 0, publishGap: Int? = nil, lastNewAt: Timestamp? = nil,
                silentAlerted: Bool = false, gapsSeen: Int = 0) {
        self.id = id
        self.url = url
        self.currentURL = currentURL
        self.etag = etag
        self.lastModified = lastModified
        self.lastFetchAt = lastFetchAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.errorsInRow = errorsInRow
        self.nextDueAt = nextDueAt
        self.gone = gone
        self.fetchedOnce = fetchedOnce
        self.itemsSeen = itemsSeen
        self.publishGap = publishGap
        self.lastNewAt = lastNewAt
        self.silentAlerted = silentAlerted
        self.gapsSeen = gapsSeen
    }
}

/// What one poll of a feed came to, for `recordFetch`.
public struct FetchOutcome: Sendable {
    public var at: Timestamp
    public var status: Int?
    /// `nil` on success.
    public var error: String?
    public var etag: String?
    public var lastModified: String?
    /// A permanent redirect's target, to poll from now on.
    public var movedTo: String?
    public var gone: Bool
    public var nextDueAt: Timestamp

    public init(at: Timestamp, status: Int?, error: String? = nil, etag: String? = nil, lastModified: String? = nil,
                movedTo: String? = nil, gone: Bool = false, nextDueAt: Timestamp) {
        self.at = at
        self.status = status
        self.error = error
        self.etag = etag
        self.lastModified = lastModified
        self.movedTo = movedTo
        self.gone = gone
        self.nextDueAt = nextDueAt
    }
}

/// An item of a fetched document, ready to be stored.
/// An item with the keys the store dedupes it by, computed up front — the poller makes these on
/// its fetching thread, so the storing thread only stores.
public struct ItemCandidate: Sendable {
    public var item: FeedItem
    /// `EntryKey.of` and `EntryKey.contentHash`.
    public var entryKey: String
    public var contentHash: String
    /// Its canonical link (`ArticleKey.link`), and its title and summary on its site
    /// (`ArticleKey.text`): an item new to its feed but matching another stored item by either
    /// is a copy of that article — stored, never alerted.
    public var articleKey: Int64?
    public var textKey: Int64?

    public init(_ item: FeedItem, site: String? = nil) {
        self.item = item
        entryKey = EntryKey.of(item)
        // The link normalized once, for the content hash and the article key alike.
        let normalized = item.link.map(EntryKey.normalizedLink)
        contentHash = EntryKey.contentHash(item, normalizedLink: normalized)
        articleKey = normalized.flatMap { ArticleKey.link(normalized: $0) }.map(ArticleKey.linkHash)
        if let site, let title = item.title, !title.isEmpty, let summary = item.summary, !summary.isEmpty {
            let own = item.link.map(ArticleKey.site(of:)) ?? ""
            textKey = ArticleKey.text(site: own.isEmpty ? site : own, title: title, summary: summary)
        }
    }
}

extension ItemCandidate {
    /// What the store keeps of the item, once decided: its keys and the fields it stores (for an
    /// item seen again, its keys only). A batch holds the intents of thousands of documents until
    /// it is applied; an item's content, categories and enclosures were read by the decider and
    /// need not wait with them.
    public func slimmed(keepText: Bool) -> ItemCandidate {
        var c = self
        c.item = keepText ? FeedItem(id: item.id, title: item.title, link: item.link, published: item.published, summary: item.summary)
            : FeedItem(id: item.id)
        return c
    }
}

/// An alert as the outbox hands it out: its place in the order alerts were committed, and the
/// alert — decoded once, here at the seam, or the reason its record could not be read (which
/// delivery dead-letters with that reason; it never passes silently).
public struct StoredAlert: Sendable, Equatable {
    public var position: Int64
    public var id: String
    public var createdAt: Timestamp
    /// The record as stored, readable or not (what a dead letter keeps).
    public var record: String
    public var content: Result<Alert, AlertCodec.DecodingError>

    /// Reads a stored record: the store's side of the seam, the one place a record is decoded.
    public init(position: Int64, id: String, createdAt: Timestamp, record: String) {
        self.position = position
        self.id = id
        self.createdAt = createdAt
        self.record = record
        content = Result { () throws(AlertCodec.DecodingError) in try AlertCodec.decode(record) }
    }

    public init(position: Int64, alert: Alert, createdAt: Timestamp) {
        self.position = position
        id = alert.id
        self.createdAt = createdAt
        record = alert.record
        content = .success(alert)
    }

    public static func == (a: StoredAlert, b: StoredAlert) -> Bool {
        a.position == b.position && a.id == b.id && a.createdAt == b.createdAt && a.record == b.record
    }

    public var alert: Alert? { try? content.get() }
}

/// Where a sink stands: its cursor and, while it is failing, its retry state.
public struct SinkState: Equatable, Sendable {
    public var cursor: Int64
    /// Failed attempts at the alert after the cursor (0: not failing).
    public var attempts: Int
    public var nextAttemptAt: Timestamp?
    public var lastError: String?
    /// Digests: when the last summary block was written.
    public var summaryAt: Timestamp?

    public init(cursor: Int64, attempts: Int, nextAttemptAt: Timestamp? = nil, lastError: String? = nil, summaryAt: Timestamp? = nil) {
        self.cursor = cursor
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.summaryAt = summaryAt
    }
}

/// A delivery given up on: shown by `feedwatch outbox`, sent again once requeued.
public struct DeadLetter: Equatable, Sendable {
    public var sink: String
    public var alert: StoredAlert
    public var attempts: Int
    public var error: String
    public var deadAt: Timestamp
    public var requeued: Bool

    public init(sink: String, alert: StoredAlert, attempts: Int, error: String, deadAt: Timestamp, requeued: Bool) {
        self.sink = sink
        self.alert = alert
        self.attempts = attempts
        self.error = error
        self.deadAt = deadAt
        self.requeued = requeued
    }
}

/// The story a new item joined or started, as the poller's grouping decided.
public struct StoryLink: Equatable, Sendable {
    public var id: String
    /// Where grouping placed the item in time (its publication, or when it was seen).
    public var at: Timestamp
    /// The story's title, when this item starts it (its own title).
    public var title: String?
    public var topics: [String]
    public var isNew: Bool
    /// Stories grouping merged into this one as the item joined: the store moves their items.
    public var absorbed: [String]

    public init(id: String, at: Timestamp, title: String?, topics: [String], isNew: Bool, absorbed: [String] = []) {
        self.id = id
        self.at = at
        self.title = title
        self.topics = topics
        self.isNew = isNew
        self.absorbed = absorbed
    }
}

/// An item of a recent story, read back to rebuild the grouping's index (after a restart, or
/// when another process stored it).
public struct StoryMember: Equatable, Sendable {
    /// Where the ledger committed it: what the next catch-up reads after.
    public var position: Int64
    public var item: ItemKey
    public var title: String?
    public var summary: String?
    public var at: Timestamp
    public var storyID: String
    public var storySize: Int
    public var storyFirstSeen: Timestamp

    public init(position: Int64, item: ItemKey, title: String?, summary: String?, at: Timestamp, storyID: String, storySize: Int,
                storyFirstSeen: Timestamp) {
        self.position = position
        self.item = item
        self.title = title
        self.summary = summary
        self.at = at
        self.storyID = storyID
        self.storySize = storySize
        self.storyFirstSeen = storyFirstSeen
    }
}

/// A story as `feedwatch stories` shows it.
public struct StoredStory: Equatable, Sendable {
    public struct Item: Equatable, Sendable {
        public var feed: String
        /// The item's id as its feed wrote it, if it had one.
        public var id: String?
        public var title: String?
        public var link: String?
        public var published: Timestamp?
        /// Copies of the same article in other feeds or under other URLs.
        public var duplicates: [(feed: String, link: String?)]
        /// Where grouping placed it in time: its publication (or when it was seen, undated).
        public var placedAt = Timestamp(secondsSince1970: 0)

        public static func == (a: Item, b: Item) -> Bool {
            a.feed == b.feed && a.id == b.id && a.title == b.title && a.link == b.link && a.published == b.published
                && a.duplicates.elementsEqual(b.duplicates) { $0.feed == $1.feed && $0.link == $1.link }
        }

        public init(feed: String, id: String?, title: String?, link: String?, published: Timestamp?, duplicates: [(feed: String, link: String?)],
                    placedAt: Timestamp = Timestamp(secondsSince1970: 0)) {
            self.placedAt = placedAt
            self.feed = feed
            self.id = id
            self.title = title
            self.link = link
            self.published = published
            self.duplicates = duplicates
        }
    }
    public var id: String
    public var title: String?
    public var size: Int
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var topics: [String]
    /// In publication order.
    public var items: [Item]

    /// When its first and last items were published (placed, for undated ones).
    public var firstPublished: Timestamp? { items.map(\.placedAt).min() }
    public var lastPublished: Timestamp? { items.map(\.placedAt).max() }
    /// How many outlets (feeds) its items came from; copies are not items.
    public var outlets: Int { Set(items.map(\.feed)).count }

    public init(id: String, title: String?, size: Int, firstSeen: Timestamp, lastSeen: Timestamp, topics: [String], items: [Item]) {
        self.id = id
        self.title = title
        self.size = size
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.topics = topics
        self.items = items
    }
}

/// An item by what identifies it in every store: its feed and its entry key (`EntryKey.of`) —
/// never a row id, which an engine assigns at insert and which is not known before the write.
public struct ItemKey: Hashable, Sendable {
    public var feedID: Int64
    public var entryKey: String

    public init(feedID: Int64, entryKey: String) {
        self.feedID = feedID
        self.entryKey = entryKey
    }

    /// A 64-bit name for it, for in-memory indexes (the story index) that key items by integer.
    public var hashValue64: Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in String(feedID).utf8 + [0x1F] + entryKey.utf8 {
            h ^= UInt64(byte)
            h &*= 0x100_0000_01b3
        }
        return Int64(bitPattern: h)
    }
}

/// What the grouping must follow of the corrections made by hand (`feedwatch stories merge`,
/// `split`, `mute`), read by the poller before it groups a cycle's items.
public struct StoryCorrections: Equatable, Sendable {
    /// Grows with every merge or split by hand: an index built at a lower mark groups as the
    /// store no longer does, and is rebuilt from the store (which has the corrections applied).
    public var mark: Int64
    /// Stories muted now: their items are stored and grouped but alert no sink.
    public var muted: Set<String>
    /// Pairs of stories a split set apart: grouping must not merge them again by itself.
    public var apart: [(String, String)]

    public init(mark: Int64 = 0, muted: Set<String> = [], apart: [(String, String)] = []) {
        self.mark = mark
        self.muted = muted
        self.apart = apart
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.mark == b.mark && a.muted == b.muted && a.apart.elementsEqual(b.apart) { $0 == $1 }
    }
}

/// An item as `split` names it: the alert id of the item (`fw_…`), its link, or its id in its feed.
public struct StoryItemRef: Equatable, Sendable {
    public var itemID: Int64
    public var storyID: String
    public var title: String?

    public init(itemID: Int64, storyID: String, title: String?) {
        self.itemID = itemID
        self.storyID = storyID
        self.title = title
    }
}

/// An item as the store keeps it (`StoreReadModel.storedItems`).
public struct StoredItem: Equatable, Sendable {
    public var feedURL: String
    /// The id its feed gave it, if it had one.
    public var id: String?
    public var title: String?
    public var summary: String?
    public var link: String?
    public var published: Timestamp?
    public var firstSeen: Timestamp

    public init(feedURL: String, id: String?, title: String?, summary: String?, link: String?, published: Timestamp?, firstSeen: Timestamp) {
        self.feedURL = feedURL
        self.id = id
        self.title = title
        self.summary = summary
        self.link = link
        self.published = published
        self.firstSeen = firstSeen
    }
}
