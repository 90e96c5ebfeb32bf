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

    public init(id: Int64, url: String, currentURL: String, etag: String? = nil, lastModified: String? = nil, lastFetchAt: Timestamp? = nil,
                lastStatus: Int? = nil, lastError: String? = nil, errorsInRow: Int = 0, nextDueAt: Timestamp, gone: Bool = false,
                fetchedOnce: Bool = false, itemsSeen: Int = 0, publishGap: Int? = nil, lastNewAt: Timestamp? = nil,
                silentAlerted: Bool = false) {
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

/// An alert as stored: its place in the order alerts were made, its id and its record.
public struct StoredAlert: Equatable, Sendable {
    public var position: Int64
    public var id: String
    public var record: String
    public var createdAt: Timestamp

    public init(position: Int64, id: String, record: String, createdAt: Timestamp) {
        self.position = position
        self.id = id
        self.record = record
        self.createdAt = createdAt
    }
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

/// What becomes of an item new to the store (not a copy): the story it belongs to, its alert.
public struct NewItem {
    public var story: StoryLink?
    public var alert: (id: String, record: String)?

    public init(story: StoryLink? = nil, alert: (id: String, record: String)? = nil) {
        self.story = story
        self.alert = alert
    }
}

/// An item of a recent story, read back to rebuild the grouping's index (after a restart, or
/// when another process stored it).
public struct StoryMember: Equatable, Sendable {
    public var itemID: Int64
    public var title: String?
    public var summary: String?
    public var at: Timestamp
    public var storyID: String
    public var storySize: Int
    public var storyFirstSeen: Timestamp
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
}

/// What storing an item did.
public enum IngestResult: Equatable, Sendable {
    /// Never seen under this feed: stored (and alerted, if an alert was given).
    case new(itemID: Int64)
    /// Seen before, text changed: updated in place, not alerted again.
    case updated(itemID: Int64)
    /// Seen before, unchanged.
    case unchanged(itemID: Int64)
    /// New to this feed, but the same article as a stored item (`of`): stored, not alerted.
    case duplicate(itemID: Int64, of: Int64)

    /// New to its feed (a copy of another feed's article included).
    public var isNew: Bool {
        switch self {
        case .new, .duplicate: true
        case .updated, .unchanged: false
        }
    }
}

/// The narrow interface the poller uses, so that a PostgreSQL store handing out due feeds to
/// several daemons can stand where the embedded SQLite one stands.
public protocol FeedStore: AnyObject {
    /// Makes the store's feeds the config's: adds new ones (due at once), marks removed ones
    /// inactive, and clears `gone` and backoff for an entry whose config changed.
    func syncFeeds(_ entries: [(url: String, entry: String)], now: Timestamp) throws(StoreError) -> [FeedRecord]
    func feed(url: String) throws(StoreError) -> FeedRecord?
    /// Active feeds due at `now`, soonest first.
    func dueFeeds(at now: Timestamp, limit: Int) throws(StoreError) -> [FeedRecord]
    /// When the next active feed falls due, or `nil` when none will.
    func nextDue() throws(StoreError) -> Timestamp?
    func recordFetch(feedID: Int64, _ outcome: FetchOutcome) throws(StoreError)
    /// Stores a document's items under one feed in one transaction. For each new item,
    /// `alert(item)` may return an alert (id and record), which is stored with it — so a crash
    /// can neither lose an alert nor give one item two alert ids.
    /// For each item new to the store and not a copy of a stored article, `decide(item, itemID)`
    /// says which story it belongs to and what its alert is; both are stored with it — so a crash
    /// can neither lose an alert nor give one item two alert ids or two stories.
    func ingest(feedID: Int64, _ items: [ItemCandidate], now: Timestamp,
                decide: (FeedItem, Int64) -> NewItem) throws(StoreError) -> [IngestResult]
    /// The feed and placement time of a story's earliest-published item stored so far.
    func storyFirst(_ story: String) throws(StoreError) -> (feedURL: String, at: Timestamp)?
    /// What grouping must follow of the corrections made by hand (SQLiteStore+Corrections.swift).
    func storyCorrections(at now: Timestamp) throws(StoreError) -> StoryCorrections
    /// Items placed in a story at or after `since`, stored after item `after`, oldest first.
    func storyMembers(after itemID: Int64, since: Timestamp) throws(StoreError) -> [StoryMember]
    /// Stories seen at or after `since`, largest first, with their items and the items' copies.
    func stories(since: Timestamp, limit: Int) throws(StoreError) -> [StoredStory]
    /// How large each of `stories` was in the last of its alerts `sink` took (absent: none yet).
    func storySizes(sink: String, stories: [String]) throws(StoreError) -> [String: Int]
    /// Alerts stored so far, oldest first: those after `position` (0: from the start), each with
    /// its own position, which a sink's cursor records.
    func alerts(after position: Int64, limit: Int) throws(StoreError) -> [StoredAlert]
    /// The position of the last alert a sink has taken; `nil` for a sink never seen.
    func cursor(sink: String) throws(StoreError) -> Int64?
    /// The position of the newest alert (0 if none).
    func lastAlertPosition() throws(StoreError) -> Int64
    func setCursor(sink: String, position: Int64) throws(StoreError)
    /// Gives every sink of `names` the store does not know yet its place in the queue: after the
    /// newest alert, so a sink added to the config gets the alerts from then on — and from the
    /// moment the config is loaded, not from its first delivery, which a crash may never reach.
    /// Returns the sinks added.
    func registerSinks(_ names: [String]) throws(StoreError) -> [String]
    /// Every sink the store keeps a place for (configured now or once).
    func knownSinks() throws(StoreError) -> [String: SinkState]
    /// How many alerts are stored after `position`.
    func alertCount(after position: Int64) throws(StoreError) -> Int
    /// Hands `old`'s place in the queue and its dead letters to `new` (which keeps the earlier of
    /// the two places), then forgets `old` — a sink renamed by an edit of its URL or path.
    func moveSink(_ old: String, to new: String) throws(StoreError)
    /// Forgets a sink that is no longer configured: its place, dead letters and story sizes.
    func forgetSink(_ name: String) throws(StoreError)
    /// Moves a sink's cursor and records the story sizes of the alerts it took, together.
    func setCursor(sink: String, position: Int64, storySizes: [String: Int]) throws(StoreError)
    /// Alerts created in `from..<to`, oldest first (a digest's period).
    func alerts(createdFrom from: Timestamp, to: Timestamp) throws(StoreError) -> [StoredAlert]
    /// Stores an alert that concerns a feed, not an item (feed health), in the sinks' queue.
    func addFeedAlert(id: String, record: String, now: Timestamp) throws(StoreError)
    /// Marks whether a "silent" health alert is out for a feed.
    func setSilentAlerted(feedID: Int64, _ alerted: Bool) throws(StoreError)
    /// A sink's cursor and retry state; `nil` for a sink never seen.
    func sinkState(sink: String) throws(StoreError) -> SinkState?
    /// After a failed attempt: how many in a row, when to try again, why.
    func recordSinkFailure(sink: String, attempts: Int, nextAttemptAt: Timestamp, error: String) throws(StoreError)
    /// Records a digest's summary block.
    func setSummaryTime(sink: String, at: Timestamp) throws(StoreError)
    /// Gives up on `alerts` for `sink`: dead-letters them, moves the cursor to `cursor` and
    /// clears the retry state, in one transaction.
    func deadLetter(sink: String, _ alerts: [StoredAlert], attempts: Int, error: String, at: Timestamp, cursor: Int64) throws(StoreError)
    /// Dead letters, of one sink or all, oldest first.
    func deadLetters(sink: String?) throws(StoreError) -> [DeadLetter]
    /// Marks dead letters for sending again (an alert id, or all when `nil`); returns how many.
    func requeue(alertID: String?) throws(StoreError) -> Int
    /// A requeued dead letter went out: forgotten.
    func removeDeadLetter(sink: String, position: Int64) throws(StoreError)
    /// Records that `host` asked (429/503 with `Retry-After`) not to be sent anything before `until`.
    func block(host: String, until: Timestamp) throws(StoreError)
    /// Hosts that must not be asked anything at `now`, with the time they may be again.
    func blockedHosts(at now: Timestamp) throws(StoreError) -> [String: Timestamp]
    /// Runs `body`'s writes as one commit (each operation inside stays all-or-nothing on its
    /// own): a cycle over thousands of feeds commits in batches, not once per feed.
    func batch<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T
    /// Forgets the text of items last seen before `cutoff` and alert records older than it that
    /// every sink in `sinks` has taken; the items' dedupe keys stay, so an old item reappearing
    /// in a feed does not alert again. Returns how many items were pruned.
    func prune(before cutoff: Timestamp, sinks: [String]) throws(StoreError) -> Int
    /// How many feeds the config names, and how many of them are failing (for STATUS=).
    func feedCounts() throws(StoreError) -> (feeds: Int, failing: Int)
    /// Every feed the config still names, for `status`.
    func allFeeds() throws(StoreError) -> [FeedRecord]
}

extension FeedStore {
    /// `ingest` for callers without stories: each new item's alert, if any.
    public func ingest(feedID: Int64, _ items: [ItemCandidate], now: Timestamp,
                       alert: (FeedItem) -> (id: String, record: String)?) throws(StoreError) -> [IngestResult] {
        try ingest(feedID: feedID, items, now: now) { item, _ in NewItem(alert: alert(item)) }
    }
}
