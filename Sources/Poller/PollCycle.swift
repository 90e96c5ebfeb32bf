public import Config
import FeedParse
public import FeedwatchCore
internal import Glibc
import HTTPTransport
import Normalize
import Scheduler
public import Stories
public import Store
public import TopicQuery

/// One pass over the feeds that are due: fetch them all at once, parse what changed, store new
/// items with their alerts (all-or-nothing per document, committed in batches), record each
/// feed's health and next poll.
/// Delivery to sinks is separate (`Delivery`), from what the store holds.
public final class PollCycle {
    public struct Summary: Sendable {
        public var polled = 0
        public var failures: [(url: String, error: String)] = []
        public var newItems = 0
        public var newAlerts = 0
        /// Feeds whose transfer a shutdown cut short: not recorded, still due.
        public var interrupted = 0
        /// With `all`: feeds not polled after all — gone, backing off, or their host asked to
        /// wait — and why (with the time they may be polled again).
        public var skipped: [(url: String, reason: String)] = []
    }

    private let config: Config
    private let store: FeedStore
    private let matcher: TopicMatcher
    private let stories: StoryIndex
    private let clock: () -> Timestamp
    /// The same clock with the fraction of a second, for deadlines a server names (Retry-After).
    private let preciseClock: () -> Double
    private let random: () -> Double
    private let stopRequested: @Sendable () -> Bool
    private let progress: () -> Void
    /// Whether this cycle has read into the story index what it lacks (done before the first
    /// document is stored: a cycle of 304s never needs it).
    private var storiesReady = false

    /// `stopRequested`: asked while transfers run; once true, transfers in flight get a few
    /// seconds and no new one starts. `progress`: called on the calling thread after each
    /// committed batch and every second while transfers run without finishing (a long cycle
    /// keeps the service manager's watchdog fed).
    /// `stories`: the grouping's index, kept across cycles (a fresh one is filled from the store).
    public init(config: Config, store: FeedStore, matcher: TopicMatcher, stories: StoryIndex = StoryIndex(),
                clock: (() -> Timestamp)? = nil,
                random: @escaping () -> Double = { Double.random(in: 0..<1) },
                stopRequested: @escaping @Sendable () -> Bool = { false }, progress: @escaping () -> Void = {}) {
        self.config = config
        self.store = store
        self.matcher = matcher
        self.stories = stories
        // A test's clock has whole seconds only; the real one has the fraction too.
        if let clock {
            self.clock = clock
            self.preciseClock = { Double(clock().secondsSince1970) }
        } else {
            self.clock = Timestamp.now
            self.preciseClock = WallClock.seconds
        }
        self.random = random
        self.stopRequested = stopRequested
        self.progress = progress
    }


    /// The configured feeds (OPML lists are already expanded into them by the config reader).
    private var sources: [FeedSource] {
        config.feeds.compactMap { if case .feed(let f) = $0 { f } else { nil } }
    }

    /// Polls what is due (`all`: every feed, whatever its interval — never one that is gone or
    /// backing off after failures).
    public func run(all: Bool) throws(StoreError) -> Summary {
        do {
            let started = Monotonic.seconds()
            defer { PollTelemetry.cycle(seconds: Monotonic.seconds() - started) }
            return try poll(all: all)
        } catch {
            stories.reset()  // it may hold items whose transaction rolled back: rebuilt from the store next time
            throw error
        }
    }

    private func poll(all: Bool) throws(StoreError) -> Summary {
        let now = clock()
        let configured = self.sources
        let sources = Dictionary(configured.map { ($0.url, $0) }, uniquingKeysWith: { a, _ in a })
        let feeds = try store.syncFeeds(configured.map { ($0.url, Self.entry($0)) }, now: now)
        // A host that answered 429/503 with Retry-After gets nothing before then, for any feed.
        let blocked = try store.blockedHosts(at: now)
        var summary = Summary()
        let due: [FeedRecord]
        if all {
            // Every feed — but never one that is gone, backing off or whose host asked to wait:
            // a cron job must not hammer a failing server. Said, not silently left out.
            due = feeds.filter { feed in
                let host = FeedFetcher.host(of: feed.currentURL)
                if feed.gone {
                    summary.skipped.append((feed.url, "gone (HTTP 410); polled again once its config entry changes"))
                } else if feed.errorsInRow > 0 && feed.nextDueAt > now {
                    summary.skipped.append((feed.url, "backing off after \(feed.errorsInRow) failed poll\(feed.errorsInRow == 1 ? "" : "s") until \(feed.nextDueAt.rfc3339)"))
                } else if let until = blocked[host] {
                    summary.skipped.append((feed.url, "\(host) asked for no requests before \(until.rfc3339) (Retry-After)"))
                } else {
                    return true
                }
                return false
            }
        } else {
            due = try store.dueFeeds(at: now, limit: Int.max).filter { blocked.isEmpty || blocked[FeedFetcher.host(of: $0.currentURL)] == nil }
        }
        let options = ParseOptions(maxBytes: config.poll.maxBody)

        // Remote feeds, all at once, on two threads: one fetches and parses (bytes go into the
        // parser as they arrive), this one classifies and stores, so a cold cycle uses both cores.
        let remote = due.filter { !$0.currentURL.hasPrefix("file:") }
        let requests = remote.map { FetchRequest(url: $0.currentURL, etag: $0.etag, lastModified: $0.lastModified) }
        var fetched = Handoff<Fetched>(capacity: Self.batchSize)
        var worker: WorkerThread?
        do {
            worker = try WorkerThread(Self.fetchAndParse(requests, poll: config.poll, options: options, into: fetched, stopRequested: stopRequested))
        } catch {
            // No second thread to be had: fetch everything first, on this one.
            fetched = Handoff<Fetched>(capacity: .max)
            Self.fetchAndParse(requests, poll: config.poll, options: options, into: fetched, stopRequested: stopRequested)()
        }
        var finished = Set<Int>()
        var storeError: StoreError?
        var fetchError: Error?
        var drained = false
        while !drained {
            // One commit per `commitEvery` finished feeds or per `commitSeconds`, whichever first —
            // not per hand-over, which is often a few documents: every commit rewrites the index
            // pages it dirtied, and the dedupe indexes are dirtied all over.
            let started = Monotonic.seconds()
            var taken = 0
            do throws(StoreError) {
                // Wait for work outside a transaction; inside one, wait only until the commit is due,
                // so the write lock is never held longer while transfers run.
                var first: [Fetched] = []
                while first.isEmpty {
                    guard let got = fetched.take(upTo: Self.batchSize, waiting: 1) else { break }
                    first = got
                    if first.isEmpty { progress() }  // transfers still running: the watchdog is fed anyway
                }
                if first.isEmpty { drained = true; break }
                try store.batch { () throws(StoreError) in
                    repeat {
                        let work: [Fetched]
                        if !first.isEmpty {
                            work = first
                            first = []
                        } else if let more = fetched.take(upTo: Self.batchSize, waiting: Self.commitSeconds - (Monotonic.seconds() - started)),
                                  !more.isEmpty {
                            work = more
                        } else {
                            return
                        }
                        for case let .response(i, response, parsed) in work {
                            finished.insert(i)
                            try finish(remote[i], source: sources[remote[i].url], response: response, parsed: parsed, now: now, into: &summary)
                        }
                        for case let .failed(error) in work { fetchError = error }
                        taken += work.count
                    } while taken < Self.commitEvery && Monotonic.seconds() - started < Self.commitSeconds
                }
                progress()  // committed: the store answers (the daemon's watchdog)
            } catch {
                storeError = error
                fetched.close()
                while !fetched.receive(upTo: Self.batchSize).isEmpty {}  // let the fetch thread finish
                drained = true
            }
        }
        worker?.wait()
        if let storeError { throw storeError }
        if let fetchError {
            // libcurl could not start: every feed not yet finished failed the same way.
            try store.batch { () throws(StoreError) in
                for (i, feed) in remote.enumerated() where !finished.contains(i) {
                    try finish(feed, source: sources[feed.url], response: FetchResponse(status: 0, url: feed.currentURL, error: fetchError),
                               parsed: nil, now: now, into: &summary)
                }
            }
        }

        // Local feeds (`file:`), read directly; their modification time and size act as a validator.
        try store.batch { () throws(StoreError) in
            for feed in due where feed.currentURL.hasPrefix("file:") {
                try finishLocal(feed, source: sources[feed.url], options: options, now: now, into: &summary)
            }
        }
        return summary
    }

    /// The grouping's index for a config's `stories:` settings.
    public static func storyIndex(_ settings: StorySettings) -> StoryIndex {
        StoryIndex(settings: .init(window: settings.window, threshold: settings.threshold ?? StoryIndex.defaultThreshold))
    }

    /// Reads into the grouping's index the story items it does not hold: all recent ones after a
    /// start, those another process (a `once` next to the daemon) stored since.
    private func catchUpStories(now: Timestamp) throws(StoreError) {
        let since = Timestamp(secondsSince1970: now.secondsSince1970 - Int64(stories.memory))
        for m in try store.storyMembers(after: stories.newestItem, since: since) {
            stories.restore(item: m.itemID, title: m.title, summary: m.summary, at: m.at,
                            story: StoryAssignment(id: m.storyID, size: m.storySize, firstSeen: m.storyFirstSeen, isNew: false))
        }
    }

    /// A parsed document with its items' dedupe keys, computed where it was parsed (on the fetch
    /// thread for remote feeds), so the storing thread only stores.
    struct Document: Sendable {
        var parsed: ParsedFeed
        var candidates: [ItemCandidate]

        init(_ parsed: ParsedFeed, feedURL: String) {
            self.parsed = parsed
            let site = ArticleKey.site(of: feedURL)
            candidates = parsed.items.map { ItemCandidate($0, site: site) }
        }
    }

    /// Finished feeds per store transaction, and parsed documents waiting at most.
    private static let batchSize = 256
    /// Finished feeds per commit at most, and seconds a commit waits at most: large enough that
    /// the index pages a commit rewrites are rewritten rarely, small enough that the write lock
    /// and the watchdog never wait long. (2,048 / 2 s with a 32 MB page cache: a cold cycle of
    /// 10,000 feeds 3.5–3.7 s against 4.8–5.2 s with 1,024 / 1 s and SQLite's 2 MB.)
    private static let commitEvery = 2_048
    private static let commitSeconds = 2.0


    /// What the fetch thread hands over: a finished transfer with its parsed document (for a
    /// 2xx), or why libcurl could not run at all.
    private enum Fetched: Sendable {
        case response(Int, FetchResponse, Result<Document, Error>?)
        case failed(Error)
    }

    /// The fetching half of a cycle, run on its own thread. A parser lives only while its
    /// transfer runs: a cycle over thousands of feeds holds a batch of documents, not all.
    private static func fetchAndParse(_ requests: [FetchRequest], poll: PollSettings, options: ParseOptions,
                                      into fetched: Handoff<Fetched>,
                                      stopRequested: @escaping @Sendable () -> Bool) -> @Sendable () -> Void {
        {
            var parsers: [Int: FeedParser] = [:]
            var received: [Int: Int] = [:]  // body bytes per transfer, for /metrics
            let fetcher = FeedFetcher(concurrency: poll.concurrency, perHost: poll.perHost,
                                      limits: TransferLimits(maxBytes: poll.maxBody, timeoutSeconds: poll.timeout))
            do {
                // A closed hand-over means the store failed: nothing more is worth fetching.
                try fetcher.run(requests, stopRequested: { stopRequested() || fetched.isClosed }) { i, head, chunk in
                    if parsers[i] == nil { parsers[i] = FeedParser(options: options, documentURL: head.url, charset: head.charset) }
                    received[i, default: 0] += chunk.count
                    try parsers[i]!.feed(chunk)
                } done: { i, response in
                    let parser = parsers.removeValue(forKey: i)
                    var parsed: Result<Document, Error>?
                    if response.error == nil, (200..<300).contains(response.status) {
                        let p = parser ?? FeedParser(options: options, documentURL: response.url, charset: response.charset)
                        parsed = Result { Document(try p.finish(), feedURL: requests[i].url) }
                    }
                    PollTelemetry.fetched(response, parsedOK: parsed.map { if case .success = $0 { true } else { false } },
                                          bytes: received.removeValue(forKey: i) ?? 0)
                    fetched.send(.response(i, response, parsed))
                }
            } catch {
                fetched.send(.failed(error))
            }
            fetched.close()
        }
    }

    /// The config entry as stored: a change (name, interval) clears `gone` and backoff.
    private static func entry(_ f: FeedSource) -> String {
        "\(f.url)\u{1F}\(f.name ?? "")\u{1F}\(f.interval.map(String.init) ?? "")"
    }

    private func schedule(_ source: FeedSource?) -> PollSchedule {
        PollSchedule(interval: source?.interval ?? config.poll.interval, maxInterval: config.poll.maxInterval)
    }

    /// The schedule after a successful poll that found `newItems`: with `poll.adaptive`, the
    /// interval follows how often the feed publishes (failures always back off from the
    /// configured interval, as the contract says).
    private func schedule(_ source: FeedSource?, after feed: FeedRecord, newItems: Int, now: Timestamp) -> PollSchedule {
        var plan = schedule(source)
        guard config.poll.adaptive else { return plan }
        let silent = newItems > 0 ? 0 : feed.lastNewAt.map { Int(now.secondsSince1970 - $0.secondsSince1970) }
        plan.interval = PollSchedule.adaptiveInterval(interval: plan.interval, typicalGap: feed.publishGap, silentFor: silent,
                                                      minimum: config.poll.minInterval ?? plan.interval, maximum: config.poll.maxInterval)
        plan.maxInterval = max(plan.maxInterval, plan.interval)
        return plan
    }

    /// `parsed`: the document of a 2xx response, or why it is not a feed.
    private func finish(_ feed: FeedRecord, source: FeedSource?, response r: FetchResponse, parsed: Result<Document, Error>?,
                        now: Timestamp, into summary: inout Summary) throws(StoreError) {
        if case TransferError.interrupted? = r.error as? TransferError {
            summary.interrupted += 1
            return
        }
        summary.polled += 1
        let plan = schedule(source)
        func fail(_ message: String, _ outcome: PollSchedule.Outcome? = nil) throws(StoreError) {
            summary.failures.append((feed.url, message))
            try healthAfterFailure(feed, source: source, error: message, now: now)
            let o = outcome ?? .failure(errorsInRow: feed.errorsInRow + 1)
            let next = plan.nextDue(after: o, at: now, random: random) ?? now
            try store.recordFetch(feedID: feed.id, FetchOutcome(at: now, status: r.status == 0 ? nil : r.status, error: message,
                                                              gone: o == .gone, nextDueAt: next))
        }
        if let error = r.error {
            return try fail(error is FeedParseError ? "not a feed: \(error)" : "\(error)")
        }
        switch r.status {
        case 304:
            try succeed(feed, source: source, response: r, parsed: nil, now: now, into: &summary)
        case 200..<300:
            switch parsed {
            case .success(let document)?: try succeed(feed, source: source, response: r, parsed: document, now: now, into: &summary)
            case .failure(let error)?: try fail("not a feed: \(error)")
            case nil: try fail("not a feed: no document")
            }
        case 410:
            try fail("HTTP 410 Gone: not polled again until its config entry changes", .gone)
        case 429, 503:
            let n = feed.errorsInRow + 1
            // The delay counts from now, when the response is in hand — not from the cycle's start,
            // which may be a long transfer earlier.
            if let until = r.headers["retry-after"].flatMap({ FreshnessHeaders.retryAfter($0, receivedAt: preciseClock()) }) {
                try store.block(host: FeedFetcher.host(of: r.url), until: until)
                try fail("HTTP \(r.status), retry after \(until.rfc3339)", .retryAfter(until: until, errorsInRow: n))
            } else {
                try fail("HTTP \(r.status)")
            }
        default:
            try fail("HTTP \(r.status)")
        }
    }

    private func succeed(_ feed: FeedRecord, source: FeedSource?, response r: FetchResponse?, parsed document: Document?,
                         now: Timestamp, into summary: inout Summary) throws(StoreError) {
        var newItems = 0
        if let document { newItems = try ingest(feed, source: source, document, now: now, into: &summary) }
        let parsed = document?.parsed
        try healthAfterSuccess(feed, source: source, title: parsed?.feed.title, newItems: newItems, now: now)
        var fresh = r.flatMap { FreshnessHeaders.freshness(cacheControl: $0.headers["cache-control"], expires: $0.headers["expires"],
                                                            date: $0.headers["date"], now: now) }
        if let ttl = parsed?.feed.ttlMinutes { fresh = max(fresh ?? 0, ttl * 60) }
        let next = schedule(source, after: feed, newItems: newItems, now: now).nextDue(after: .success(freshFor: fresh), at: now, random: random) ?? now
        try store.recordFetch(feedID: feed.id, FetchOutcome(
            at: now, status: r?.status ?? 200, etag: r?.headers["etag"] ?? (r == nil ? feed.etag : nil),
            lastModified: r?.headers["last-modified"] ?? (r == nil ? feed.lastModified : nil),
            movedTo: r?.permanentRedirect, nextDueAt: next))
    }

    // MARK: Feed health

    /// The poll that makes `failing_after` failures in a row raises a "failing" alert (once).
    private func healthAfterFailure(_ feed: FeedRecord, source: FeedSource?, error: String, now: Timestamp) throws(StoreError) {
        guard let n = config.health?.failingAfter, feed.errorsInRow + 1 == n else { return }
        let a = HealthAlert.record(.failing, feedURL: feed.url, feedTitle: source?.name, at: now, errorsInRow: n, error: error)
        try store.addFeedAlert(id: a.id, record: a.record, now: now)
    }

    /// A success after a "failing" alert raises "recovered"; a feed silent for `silent_after`
    /// times its usual gap between new items raises "silent" (once, until it publishes again).
    private func healthAfterSuccess(_ feed: FeedRecord, source: FeedSource?, title: String?, newItems: Int, now: Timestamp) throws(StoreError) {
        guard let health = config.health else { return }
        let name = source?.name ?? title
        if let n = health.failingAfter, feed.errorsInRow >= n {
            let a = HealthAlert.record(.recovered, feedURL: feed.url, feedTitle: name, at: now, errorsInRow: feed.errorsInRow)
            try store.addFeedAlert(id: a.id, record: a.record, now: now)
        }
        if newItems > 0 {
            if feed.silentAlerted { try store.setSilentAlerted(feedID: feed.id, false) }
            return
        }
        guard let k = health.silentAfter, !feed.silentAlerted, let gap = feed.publishGap, gap > 0, let last = feed.lastNewAt else { return }
        let silent = Int(now.secondsSince1970 - last.secondsSince1970)
        guard silent > k * gap else { return }
        let a = HealthAlert.record(.silent, feedURL: feed.url, feedTitle: name, at: now, silentFor: silent, usualGap: gap)
        try store.addFeedAlert(id: a.id, record: a.record, now: now)
        try store.setSilentAlerted(feedID: feed.id, true)
    }

    /// Stores the document's items; new ones that match a topic get their alert in the same
    /// transaction. On a feed's first fetch, only items published within `first_fetch_window`
    /// alert: adding a feed must not replay its archive.
    /// Returns how many items were new.
    @discardableResult
    private func ingest(_ feed: FeedRecord, source: FeedSource?, _ document: Document, now: Timestamp,
                        into summary: inout Summary) throws(StoreError) -> Int {
        let parsed = document.parsed
        let feedName = source?.name ?? parsed.feed.title
        var alerts = 0
        var alertTopics: [[String]] = []
        if !storiesReady, !document.candidates.isEmpty {
            try catchUpStories(now: now)
            storiesReady = true
        }
        // Oldest first, whatever order the feed lists them in: grouping is online, so a document
        // read newest first (as feeds list) would otherwise give other stories than the same
        // items arriving one by one.
        let candidates = PublicationOrder.positions(published: document.candidates.map(\.item.published), now: now)
            .map { document.candidates[$0] }
        let results = try store.ingest(feedID: feed.id, candidates, now: now) { item, itemID in
            // A feed's first fetch: its archive is neither alerted nor grouped, only what is
            // recent enough to be news.
            if !feed.fetchedOnce {
                switch config.firstFetchWindow {
                case .all: break
                case .seconds(let window):
                    guard let published = item.published, now.secondsSince1970 - published.secondsSince1970 <= Int64(window) else { return NewItem() }
                }
            }
            let matches = matcher.classify(item, feedName: feedName, feedURL: feed.url)
            guard !matches.isEmpty else { return NewItem() }
            // Stories group what the topics selected: the stream whose word frequencies say what is rare.
            let id = Alert.id(feedURL: feed.url, item: item)
            let at = min(item.published ?? now, now)
            stories.noteTopicTerms(matches.flatMap { $0.matches.map(\.term) })
            let story = stories.add(item: itemID, title: item.title, summary: item.summary, at: at, seen: now,
                                    newStoryID: Alert.storyID(alertID: id))
            alerts += 1
            alertTopics.append(matches.map(\.topic))
            return NewItem(story: StoryLink(id: story.id, at: at, title: item.title, topics: matches.map(\.topic), isNew: story.isNew),
                           alert: (id, Alert.record(id: id, emittedAt: now, matches: matches, feedURL: feed.url,
                                                    feedTitle: source?.name ?? parsed.feed.title, item: item, story: story)))
        }
        let new = results.filter(\.isNew).count
        PollTelemetry.items(parsed: document.candidates.count, stored: new)
        for topics in alertTopics { PollTelemetry.alert(topics: topics) }
        summary.newItems += new
        summary.newAlerts += alerts
        return new
    }

    private func finishLocal(_ feed: FeedRecord, source: FeedSource?, options: ParseOptions, now: Timestamp,
                             into summary: inout Summary) throws(StoreError) {
        let plan = schedule(source)
        summary.polled += 1
        do {
            // Only a regular file, read within `poll.timeout`: a FIFO or a hung mount must not stall the cycle.
            let file = try LocalFile(path: LocalPath.fromFileURL(feed.currentURL), regularOnly: true,
                                     deadline: Monotonic.seconds() + Double(config.poll.timeout))
            if let etag = feed.etag, etag == file.validator {
                try healthAfterSuccess(feed, source: source, title: nil, newItems: 0, now: now)
                let next = schedule(source, after: feed, newItems: 0, now: now).nextDue(after: .success(freshFor: nil), at: now, random: random) ?? now
                try store.recordFetch(feedID: feed.id, FetchOutcome(at: now, status: 304, nextDueAt: next))
                return
            }
            let parser = FeedParser(options: options, documentURL: feed.currentURL)
            try file.chunks { try parser.feed($0) }
            let parsed = try parser.finish()
            let newItems = try ingest(feed, source: source, Document(parsed, feedURL: feed.currentURL), now: now, into: &summary)
            try healthAfterSuccess(feed, source: source, title: parsed.feed.title, newItems: newItems, now: now)
            let next = schedule(source, after: feed, newItems: newItems, now: now)
                .nextDue(after: .success(freshFor: parsed.feed.ttlMinutes.map { $0 * 60 }), at: now, random: random) ?? now
            try store.recordFetch(feedID: feed.id, FetchOutcome(at: now, status: 200, etag: file.validator, nextDueAt: next))
        } catch let error as StoreError {
            throw error
        } catch {
            summary.failures.append((feed.url, "\(error)"))
            try healthAfterFailure(feed, source: source, error: "\(error)", now: now)
            let next = plan.nextDue(after: .failure(errorsInRow: feed.errorsInRow + 1), at: now, random: random) ?? now
            try store.recordFetch(feedID: feed.id, FetchOutcome(at: now, status: nil, error: "\(error)", nextDueAt: next))
        }
    }
}
