public import FeedwatchCore
public import Store

/// A story as the page, the Atom feed and the API show it: the store's record (`StoredStory`,
/// engine-free) with each item's outlet named for people.
public struct WebStory: Equatable, Sendable {
    /// One item of the story, with the copies of it found in other feeds or under other URLs.
    public struct Item: Equatable, Sendable {
        public struct Copy: Equatable, Sendable {
            public var feed: String
            public var link: String?
            public init(feed: String, link: String?) {
                self.feed = feed
                self.link = link
            }
        }
        /// The feed's URL as configured.
        public var feed: String
        /// The feed's configured name, for people (`nil`: show the URL).
        public var feedName: String?
        public var id: String?
        public var title: String?
        public var link: String?
        public var published: Timestamp?
        public var duplicates: [Copy]

        public init(feed: String, feedName: String? = nil, id: String? = nil, title: String? = nil, link: String? = nil,
                    published: Timestamp? = nil, duplicates: [Copy] = []) {
            self.feed = feed
            self.feedName = feedName
            self.id = id
            self.title = title
            self.link = link
            self.published = published
            self.duplicates = duplicates
        }

        /// Who published it: the feed's name, else the host of its URL.
        public var outlet: String { feedName ?? WebText.host(of: feed) }
    }

    public var id: String
    public var title: String?
    public var size: Int
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var topics: [String]
    public var items: [Item]
    /// When its first and last items were published (placed, for undated ones), as the store
    /// figures them: the same values `stories --json` shows, which the API must repeat.
    public var firstPublished: Timestamp?
    public var lastPublished: Timestamp?

    /// How many outlets (feeds) its items came from; copies are not items.
    public var outlets: Int { Set(items.map(\.feed)).count }

    public init(id: String, title: String?, size: Int, firstSeen: Timestamp, lastSeen: Timestamp, topics: [String], items: [Item],
                firstPublished: Timestamp? = nil, lastPublished: Timestamp? = nil) {
        self.id = id
        self.title = title
        self.size = size
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.topics = topics
        self.items = items
        self.firstPublished = firstPublished
        self.lastPublished = lastPublished
    }
}

extension WebStory {
    /// The store's story, its items' feeds named by `names` (the config's, by URL).
    public init(_ s: StoredStory, names: [String: String] = [:]) {
        self.init(id: s.id, title: s.title, size: s.size, firstSeen: s.firstSeen, lastSeen: s.lastSeen, topics: s.topics,
                  items: s.items.map { i in
                      Item(feed: i.feed, feedName: names[i.feed], id: i.id, title: i.title, link: i.link, published: i.published,
                           duplicates: i.duplicates.map { Item.Copy(feed: $0.feed, link: $0.link) })
                  },
                  firstPublished: s.firstPublished, lastPublished: s.lastPublished)
    }
}

/// A feed's health, as `feedwatch status` reports it.
public struct WebFeed: Equatable, Sendable {
    public enum Health: String, Sendable, CaseIterable {
        case ok, failing, gone
        case neverPolled = "never_polled"
    }
    public var url: String
    public var name: String?
    public var lastFetch: Timestamp?
    public var status: Int?
    public var error: String?
    public var errorsInRow: Int
    /// `nil` for a gone feed: it is never polled again.
    public var nextPoll: Timestamp?
    public var itemsSeen: Int
    /// When a poll last found a new item (silence is measured from it).
    public var lastNew: Timestamp?
    public var health: Health

    public init(url: String, name: String?, lastFetch: Timestamp?, status: Int?, error: String?, errorsInRow: Int, nextPoll: Timestamp?,
                itemsSeen: Int, lastNew: Timestamp?, health: Health) {
        self.url = url
        self.name = name
        self.lastFetch = lastFetch
        self.status = status
        self.error = error
        self.errorsInRow = errorsInRow
        self.nextPoll = nextPoll
        self.itemsSeen = itemsSeen
        self.lastNew = lastNew
        self.health = health
    }
}

/// Where one sink's deliveries stand, as `feedwatch outbox` reports it.
public struct WebSink: Equatable, Sendable {
    public var name: String
    public var pending: Int
    public var dead: Int
    /// Failed attempts at the next alert (0: not failing).
    public var attempts: Int
    public var lastError: String?
    public var nextAttempt: Timestamp?

    public init(name: String, pending: Int, dead: Int, attempts: Int, lastError: String?, nextAttempt: Timestamp?) {
        self.name = name
        self.pending = pending
        self.dead = dead
        self.attempts = attempts
        self.lastError = lastError
        self.nextAttempt = nextAttempt
    }
}

/// The store's own figures, read at scrape time so that `serve` reports them as `run` does.
public struct StoreFigures: Equatable, Sendable {
    public var feeds: [WebFeed.Health: Int]
    public var items: Int
    public var alerts: Int
    /// Stories still within the grouping window (they can still grow).
    public var storiesOpen: Int
    public var sizeBytes: Int

    public init(feeds: [WebFeed.Health: Int], items: Int, alerts: Int, storiesOpen: Int, sizeBytes: Int) {
        self.feeds = feeds
        self.items = items
        self.alerts = alerts
        self.storiesOpen = storiesOpen
        self.sizeBytes = sizeBytes
    }
}

/// Items per topic per day, for the page's volume chart.
public struct TopicVolume: Equatable, Sendable {
    public var topic: String
    /// One count per day, oldest first, ending today (UTC).
    public var perDay: [Int]

    public init(topic: String, perDay: [Int]) {
        self.topic = topic
        self.perDay = perDay
    }
}
