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

/// One pass over the feeds that are due, as claim → fetch/parse → decide → apply: claim the due
/// feeds (`FeedQueue`), fetch them all at once on a second thread that parses as bytes arrive,
/// decide what each document and response means (`ItemDecision`, `FetchDecision`: pure, before
/// any write), then have the store apply the decisions a batch at a time (`ItemLedger.apply`,
/// `FeedQueue.record`). A batch whose apply fails is discarded whole, and the story index goes
/// back to the checkpoint taken when the cycle began, then reads back from the store what the
/// cycle's earlier batches committed, so it holds exactly what the store committed.
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
        /// Configured pages whose announced feed is polled instead from now on.
        public var moves: [FeedMove] = []
        /// Feeds whose decisions the store refused because another writer moved the ledger
        /// first: not recorded, so still due — polled again, after catching up, next cycle.
        public var deferred = 0
    }

    private let config: Config
    private let queue: FeedQueue
    private let ledger: ItemLedger
    private let decider: ItemDecision
    private let stories: StoryIndex
    private let lease: Lease
    private let clock: () -> Timestamp
    /// The same clock with the fraction of a second, for deadlines a server names (Retry-After).
    private let preciseClock: () -> Double
    private let random: () -> Double
    private let stopRequested: @Sendable () -> Bool
    private let progress: () -> Void
    /// Whether this batch has read into the story index what it lacks (done before its first
    /// document is decided: a cycle of 304s never needs it).
    private var storiesReady = false
    /// Placement taken by a catch-up and not let go since: what lets the pipeline decide a batch
    /// on top of the one in flight without reading the store again. A batch in flight alone
    /// does not: one without items (all 304s) was decided without taking placement, and the
    /// batch after it must still take it, read what others placed and read the corrections.
    private var placementHeld = false
    /// The earliest placement time the index was read back from in this cycle.
    private var storiesFrom = Int64.max
    /// The story index as the cycle found it: what a failed batch goes back to. One per cycle,
    /// not per batch: the index's tables are copy-on-write, so the first change after a
    /// checkpoint copies each whole table — per batch, that was the index's size copied 40
    /// times over a cold cycle of 10,000 feeds (quadratic in the items placed; BENCHMARKS.md
    /// "Cost"). A cold start's checkpoint is of an empty index, and copies nothing.
    private var checkpoint: StoryIndex.Checkpoint?
    /// The clock when the cycle began: every decision of the cycle is made at it.
    private var cycleStart = Timestamp(secondsSince1970: 0)
    /// The corrections made by hand (`feedwatch stories merge/split/mute`), read with each
    /// batch's catch-up.
    private var corrections: StoryCorrections?

    /// `stopRequested`: asked while transfers run; once true, transfers in flight get a few
    /// seconds and no new one starts. `progress`: called on the calling thread after each
    /// applied batch and every second while transfers run without finishing (a long cycle
    /// keeps the service manager's watchdog fed).
    /// `stories`: the grouping's index, kept across cycles (a fresh one is filled from the store).
    /// `lease`: the claim on the feeds this cycle polls (recorded by a shared store only).
    public init(config: Config, queue: FeedQueue, ledger: ItemLedger, matcher: TopicMatcher, stories: StoryIndex = StoryIndex(),
                lease: Lease = Lease(node: "local", seconds: 0), clock: (() -> Timestamp)? = nil,
                random: @escaping () -> Double = { Double.random(in: 0..<1) },
                stopRequested: @escaping @Sendable () -> Bool = { false }, progress: @escaping () -> Void = {}) {
        self.config = config
        self.queue = queue
        self.ledger = ledger
        self.decider = ItemDecision(matcher: matcher, stories: stories, firstFetchWindow: config.firstFetchWindow)
        self.stories = stories
        // Long enough for the slowest transfer of the cycle and its apply.
        self.lease = lease.seconds > 0 ? lease : Lease(node: lease.node, seconds: config.poll.timeout + 30)
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

    /// One store behind both interfaces (the usual case).
    public convenience init(config: Config, store: FeedQueue & ItemLedger, matcher: TopicMatcher, stories: StoryIndex = StoryIndex(),
                            node: String = "local", clock: (() -> Timestamp)? = nil, random: @escaping () -> Double = { Double.random(in: 0..<1) },
                            stopRequested: @escaping @Sendable () -> Bool = { false }, progress: @escaping () -> Void = {}) {
        self.init(config: config, queue: store, ledger: store, matcher: matcher, stories: stories, lease: Lease(node: node, seconds: 0),
                  clock: clock, random: random,
                  stopRequested: stopRequested, progress: progress)
    }

    /// The configured feeds (OPML lists are already expanded into them by the config reader).
    private var sources: [FeedSource] {
        config.feeds.compactMap { if case .feed(let f) = $0 { f } else { nil } }
    }

    /// Polls what is due (`all`: every feed, whatever its interval — never one that is gone or
    /// backing off after failures).
    public func run(all: Bool) throws(StoreError) -> Summary {
        let started = Monotonic.seconds()
        defer { PollTelemetry.cycle(seconds: Monotonic.seconds() - started) }
        let now = clock()
        cycleStart = now
        checkpoint = stories.checkpoint()
        let configured = self.sources
        let sources = Dictionary(configured.map { ($0.url, $0) }, uniquingKeysWith: { a, _ in a })
        let feeds = try queue.syncFeeds(configured.map { ($0.url, Self.entry($0)) }, now: now)
        // A host that answered 429/503 with Retry-After gets nothing before then, for any feed.
        let blocked = try queue.blockedHosts(at: now)
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
            due = try queue.claimDue(at: now, limit: Int.max, lease: lease).filter { blocked.isEmpty || blocked[FeedFetcher.host(of: $0.currentURL)] == nil }
        }
        let options = ParseOptions(maxBytes: config.poll.maxBody)

        // Remote feeds, all at once, on two threads: one fetches and parses (bytes go into the
        // parser as they arrive), this one decides and applies, so a cold cycle uses both cores.
        let remote = due.filter { !$0.currentURL.hasPrefix("file:") }
        let requests = remote.map { FetchRequest(url: $0.currentURL, etag: $0.etag, lastModified: $0.lastModified) }
        // A store across a network applies a batch on a second connection while this thread
        // decides the next (`InFlight`); a store in the process applies each batch here. Opened
        // before the fetch thread starts: failing after, this thread would leave the fetch thread
        // blocked on a full hand-over, and its join would never return.
        let writer = try ledger.pipelineWriter()
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
        var inFlight: InFlight?
        var previous = ItemDecision.Pending()
        var turnStarted = 0.0  // when this node last took placement
        while !drained {
            // One apply per `applyEvery` finished feeds or per `applySeconds`, whichever first —
            // not per hand-over, which is often a few documents.
            let started = Monotonic.seconds()
            var batch = Batch()
            do throws(StoreError) {
                // Wait for work with nothing decided; then only until the batch is due. With
                // nothing fetched to decide next, the batch in flight is finished first and
                // placement let go: other nodes place while this one waits for its fetches.
                var work: [Fetched] = []
                while work.isEmpty {
                    guard let got = fetched.take(upTo: Self.batchSize, waiting: inFlight == nil ? 1 : 0) else { break }
                    work = got
                    if work.isEmpty, let applying = inFlight {
                        inFlight = nil
                        _ = try settle(applying, into: &summary)
                        letGoOfPlacement()
                    } else if work.isEmpty {
                        progress()  // transfers still running: the watchdog is fed anyway
                    }
                }
                if work.isEmpty { drained = true; break }
                var taken = 0
                while true {
                    for case let .response(i, response, parsed) in work {
                        finished.insert(i)
                        try finish(remote[i], source: sources[remote[i].url], response: response, parsed: parsed, now: now,
                                   into: &batch, &summary)
                    }
                    for case let .failed(error) in work { fetchError = error }
                    taken += work.count
                    let left = Self.applySeconds - (Monotonic.seconds() - started)
                    guard taken < Self.applyEvery, left > 0, let more = fetched.take(upTo: Self.batchSize, waiting: left), !more.isEmpty else { break }
                    work = more
                }
                if let writer {
                    if let applying = inFlight, Monotonic.seconds() - turnStarted >= Self.placementTurn, try ledger.placementWanted() {
                        // Another node waits to place: this one finishes its batch in flight
                        // and lets go before deciding the next (and queues behind it).
                        inFlight = nil
                        _ = try settle(applying, into: &summary)
                        letGoOfPlacement()
                    }
                    batch.pending = inFlight == nil ? ItemDecision.Pending() : ItemDecision.Pending(after: previous)
                    let holding = inFlight != nil && placementHeld
                    try decideAhead(&batch, applying: holding)
                    if !holding && placementHeld { turnStarted = Monotonic.seconds() }  // taken by this batch's catch-up
                    previous = batch.pending
                    if let applying = inFlight {
                        inFlight = nil
                        guard try settle(applying, into: &summary) else {
                            // Decided on top of a batch the store refused: set aside with it.
                            summary.deferred += batch.outcomes.count
                            letGoOfPlacement()
                            continue
                        }
                        progress()  // applied: the store answers (the daemon's watchdog)
                    }
                    inFlight = InFlight(batch, job: ApplyJob(writer: writer, documents: batch.documents, outcomes: batch.outcomes,
                                                             basedOn: stories.ledgerPosition))
                } else {
                    try apply(&batch, into: &summary)
                    progress()  // applied: the store answers (the daemon's watchdog)
                }
            } catch {
                // A batch in flight is finished first: what it stored counts, and nothing
                // touches the store while its thread does.
                if let applying = inFlight { inFlight = nil; _ = try? settle(applying, into: &summary) }
                rollBackStories()  // nothing of this batch was stored
                letGoOfPlacement()
                storeError = error
                fetched.close()
                while !fetched.receive(upTo: Self.batchSize).isEmpty {}  // let the fetch thread finish
                drained = true
            }
        }
        if let applying = inFlight {
            do throws(StoreError) {
                _ = try settle(applying, into: &summary)
            } catch {
                storeError = storeError ?? error
            }
            letGoOfPlacement()
        }
        worker?.wait()
        if let storeError { throw storeError }
        if let fetchError {
            // libcurl could not start: every feed not yet finished failed the same way.
            try inBatch(&summary) { (batch, summary) throws(StoreError) in
                for (i, feed) in remote.enumerated() where !finished.contains(i) {
                    try finish(feed, source: sources[feed.url], response: FetchResponse(status: 0, url: feed.currentURL, error: fetchError),
                               parsed: nil, now: now, into: &batch, &summary)
                }
            }
        }

        // Local feeds (`file:`), read directly; their modification time and size act as a validator.
        try inBatch(&summary) { (batch, summary) throws(StoreError) in
            for feed in due where feed.currentURL.hasPrefix("file:") {
                try finishLocal(feed, source: sources[feed.url], options: options, now: now, into: &batch, &summary)
            }
        }
        return summary
    }

    /// Decides a batch with `body`, then applies it; on any store error nothing of it is kept.
    private func inBatch(_ summary: inout Summary, _ body: (inout Batch, inout Summary) throws(StoreError) -> Void) throws(StoreError) {
        var batch = Batch()
        do {
            try body(&batch, &summary)
        } catch {
            rollBackStories()
            letGoOfPlacement()
            throw error
        }
        try apply(&batch, into: &summary)
    }

    /// What a batch decided and has not applied yet.
    private struct Batch {
        /// Documents whose items are decided together at the batch's end, in one publication
        /// order across feeds; `outcome` makes each one's fetch result once its new items are
        /// counted.
        struct Waiting {
            var feed: FeedRecord
            var source: FeedSource?
            var document: Document
            var outcome: (_ newItems: Int) -> FetchResult
        }
        var waiting: [Waiting] = []
        var documents: [DocumentIntents] = []
        var outcomes: [FeedOutcome] = []
        var pending = ItemDecision.Pending()
        var newItems = 0
        var newAlerts = 0
        /// Items in the documents read (for /metrics).
        var parsedItems = 0
        var failures: [(url: String, error: String)] = []
    }

    /// Back to the index as the cycle found it, and to the cycle's start in reading the store:
    /// the next batch's catch-up reads back what the earlier batches committed (after the
    /// checkpoint's ledger position), as the first batch of a cycle reads what others stored.
    /// Lets go of story placement (a store one process holds has none to let go).
    private func letGoOfPlacement() {
        ledger.releasePlacement()
        placementHeld = false
    }

    private func rollBackStories() {
        if let checkpoint { stories.rollback(to: checkpoint) }
        storiesReady = false
        storiesFrom = .max
    }

    /// Applies a batch: the items first (with their stories and alerts), then the feeds'
    /// outcomes — a crash between the two polls those feeds again, finds their items stored and
    /// alerts nothing twice. A failed apply discards the batch and rolls the story index back.
    /// A batch the store refuses because another writer moved the ledger since it was decided
    /// (a fleet) is set aside: its feeds stay due and are polled again after catching up.
    private func apply(_ batch: inout Batch, into summary: inout Summary) throws(StoreError) {
        defer {
            storiesReady = false  // the next batch reads what others stored meanwhile
            letGoOfPlacement()
        }
        do {
            try decideWaiting(&batch)
            stories.ledgerPosition = try ledger.apply(batch.documents, basedOn: stories.ledgerPosition)
        } catch {
            rollBackStories()
            guard error.kind == .conflict else { throw error }
            summary.deferred += batch.outcomes.count
            return
        }
        do {
            try queue.record(batch.outcomes)
        } catch {
            // The items are stored; the index, rolled back, reads them again from the store.
            rollBackStories()
            throw error
        }
        count(batch, into: &summary)
    }

    /// Decides a batch for the pipeline, placement held (and kept: it is let go once the
    /// pipeline drains). `applying`: the batch before is still being applied, under placement
    /// this node has held since before deciding it — so nothing but that batch can have been
    /// placed since the index last read the store, and the catch-up read is skipped: it could
    /// meet that batch's own items just committed, and restoring one the index does not hold
    /// (placed outside its window) would count its terms twice. The batch's `pending` carries
    /// the earlier batch's articles and story firsts, which the triage may not see yet.
    private func decideAhead(_ batch: inout Batch, applying: Bool) throws(StoreError) {
        if applying { storiesReady = true }
        defer { storiesReady = false }  // the next batch reads what others stored meanwhile
        do {
            try decideWaiting(&batch)
        } catch {
            rollBackStories()
            throw error
        }
    }

    /// Waits for a batch in flight and takes in what came of it: true once it is stored and its
    /// outcomes recorded; false when the store refused it (another writer moved the ledger:
    /// its feeds stay due, the index is rolled back and reads back what the store holds).
    private func settle(_ applying: InFlight, into summary: inout Summary) throws(StoreError) -> Bool {
        applying.wait()
        let job = applying.job
        switch job.applied {
        case .success(let position)?:
            // Never back: a batch without items is applied at the position it was decided on,
            // which the next batch's catch-up may have read past meanwhile (it took placement,
            // this one did not) — going back to it had that batch refused as stale, and every
            // batch decided on top of it set aside with it.
            stories.ledgerPosition = max(stories.ledgerPosition, position)
        case .failure(let error)?:
            rollBackStories()
            guard error.kind == .conflict else { throw error }
            summary.deferred += applying.batch.outcomes.count
            return false
        case nil:
            rollBackStories()
            throw StoreError(.other, "a batch's apply did not run")
        }
        if let error = job.recordError {
            // The items are stored; the index, rolled back, reads them again from the store.
            rollBackStories()
            throw error
        }
        count(applying.batch, into: &summary)
        return true
    }

    /// A stored batch's figures, in the cycle's summary and /metrics.
    private func count(_ batch: Batch, into summary: inout Summary) {
        summary.newItems += batch.newItems
        summary.newAlerts += batch.newAlerts
        summary.failures += batch.failures
        PollTelemetry.items(parsed: batch.parsedItems, stored: batch.newItems)
        for d in batch.documents {
            for case .insert(_, let alert?) in d.items.map(\.action) { PollTelemetry.alert(topics: alert.topics) }
        }
    }

    /// A decided batch being applied and recorded on the pipeline's writer, on a thread of its
    /// own, while this thread decides the next.
    private final class InFlight {
        let batch: Batch
        let job: ApplyJob
        private let thread: WorkerThread?

        init(_ batch: Batch, job: ApplyJob) {
            self.batch = batch
            self.job = job
            // No thread to be had: applied here, as without a pipeline.
            thread = try? WorkerThread { job.run() }
            if thread == nil { job.run() }
        }

        func wait() { thread?.wait() }
    }

    /// One batch's apply, then its outcomes' record, on the pipeline's writer. Unchecked
    /// Sendable: the writer's thread alone touches it between its start and `wait()` (a join,
    /// which orders what it wrote before what the poll thread reads), and the poll thread
    /// never uses the writer meanwhile.
    private final class ApplyJob: @unchecked Sendable {
        let writer: any FeedQueue & ItemLedger
        let documents: [DocumentIntents]
        let outcomes: [FeedOutcome]
        let basedOn: Int64
        private(set) var applied: Result<Int64, StoreError>?
        private(set) var recordError: StoreError?

        init(writer: any FeedQueue & ItemLedger, documents: [DocumentIntents], outcomes: [FeedOutcome], basedOn: Int64) {
            self.writer = writer
            self.documents = documents
            self.outcomes = outcomes
            self.basedOn = basedOn
        }

        func run() {
            do throws(StoreError) {
                applied = .success(try writer.apply(documents, basedOn: basedOn))
            } catch {
                applied = .failure(error)
                return
            }
            do throws(StoreError) { try writer.record(outcomes) } catch { recordError = error }
        }
    }

    /// The grouping's index for a config's `stories:` settings.
    public static func storyIndex(_ settings: StorySettings) -> StoryIndex {
        StoryIndex(settings: .init(window: settings.window, threshold: settings.threshold ?? StoryIndex.defaultThreshold))
    }

    /// Reads into the grouping's index the story items it does not hold: all recent ones after a
    /// start, those another process (a `once` next to the daemon) stored since — in the order
    /// the store committed them, from where the index last read. A merge or split by hand since
    /// the index was built: it is rebuilt as the store now groups.
    ///
    /// How far back is measured from the earliest item about to be placed (`earliest`), not from
    /// now: a backlog published days ago must meet the stored items of its own days. A later
    /// document with older items reads the stretch before that too (items already held are skipped).
    private func catchUpStories(now: Timestamp, earliest: Timestamp) throws(StoreError) {
        // Not beyond twice the memory before now: a feed's archive of years must not make every
        // cycle read years of stories back (its old items are grouped with what is held).
        let memory = Int64(stories.memory)
        let from = max(min(now, earliest).secondsSince1970, now.secondsSince1970 - memory) - memory
        func restore(_ m: StoryMember) {
            stories.restore(item: m.item.hashValue64, title: m.title, summary: m.summary, at: m.at,
                            story: StoryAssignment(id: m.storyID, size: m.storySize, firstSeen: m.storyFirstSeen, isNew: false))
        }
        if storiesReady {
            guard from < storiesFrom else { return }
            for m in try ledger.storyMembers(after: 0, since: Timestamp(secondsSince1970: from)).members where m.at.secondsSince1970 < storiesFrom {
                restore(m)
            }
            storiesFrom = from
            return
        }
        // A shared store lets one writer place at a time, from this read to the apply. The
        // corrections are read under it too, every batch: a merge, split or mute made meanwhile
        // (by hand, on any node) is followed from this batch on, not from the next cycle.
        try ledger.holdPlacement()
        placementHeld = true
        storiesReady = true
        let corrected = try ledger.storyCorrections(at: now)
        if corrected.mark != stories.corrections {
            stories.reset()
            stories.corrections = corrected.mark
        }
        corrections = corrected
        storiesFrom = min(storiesFrom, from)
        let read = try ledger.storyMembers(after: stories.ledgerPosition, since: Timestamp(secondsSince1970: storiesFrom))
        for m in read.members { restore(m) }
        stories.ledgerPosition = read.through
        for (a, b) in corrections?.apart ?? [] { stories.keepApart(a, b) }
    }

    /// A parsed document with its items' dedupe keys, computed where it was parsed (on the fetch
    /// thread for remote feeds), so the deciding thread only decides.
    struct Document: Sendable {
        var parsed: ParsedFeed
        var candidates: [ItemCandidate]

        init(_ parsed: ParsedFeed, feedURL: String) {
            self.parsed = parsed
            let site = ArticleKey.site(of: feedURL)
            candidates = parsed.items.map { ItemCandidate($0, site: site) }
        }
    }

    /// Finished feeds per hand-over from the fetch thread, and parsed documents waiting at most.
    private static let batchSize = 256
    /// Finished feeds per apply at most (one hand-over's worth), and seconds a batch waits at
    /// most. The decided intents wait in memory until their apply, holding each new item's text
    /// (20 items of ~1.5 KB a feed in the poll benchmark): a cold cycle over 10,000 feeds peaked
    /// at 150 MB with 1,024 feeds a batch and 128–134 MB with 256, for the same CPU time (14–15 s
    /// of CPU either way; Benchmarks/poll.sh's corpus, BENCHMARKS.md).
    private static let applyEvery = 256
    private static let applySeconds = 2.0
    /// How long a node of a fleet keeps placing before it lets a waiting node have its turn.
    /// Each hand-over drains the pipeline (the batch in flight is applied before the lock goes)
    /// and costs the next placer a catch-up read, so a hand-over per batch made three nodes 1.39×
    /// slower than one (BENCHMARKS.md, "Fleet"); a turn of several batches keeps the overlap.
    static let placementTurn = 2.0

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
            var pages: [Int: PagePrefix] = [:]  // a body's start, while it may be a web page announcing its feed
            var received: [Int: Int] = [:]  // body bytes per transfer, for /metrics
            let fetcher = FeedFetcher(concurrency: poll.concurrency, perHost: poll.perHost,
                                      limits: TransferLimits(maxBytes: poll.maxBody, timeoutSeconds: poll.timeout))
            do {
                // A closed hand-over means the store failed: nothing more is worth fetching.
                try fetcher.run(requests, stopRequested: { stopRequested() || fetched.isClosed }) { i, head, chunk in
                    if parsers[i] == nil { parsers[i] = FeedParser(options: options, documentURL: head.url, charset: head.charset) }
                    pages[i, default: PagePrefix()].add(chunk)
                    received[i, default: 0] += chunk.count
                    try parsers[i]!.feed(chunk)
                } done: { i, response in
                    let parser = parsers.removeValue(forKey: i)
                    let page = pages.removeValue(forKey: i)
                    var parsed: Result<Document, Error>?
                    if response.error == nil, (200..<300).contains(response.status) {
                        let p = parser ?? FeedParser(options: options, documentURL: response.url, charset: response.charset)
                        parsed = Result { Document(try p.finish(), feedURL: requests[i].url) }
                            .mapError { AnnouncedFeed.instead(of: $0, page: page, pageURL: response.url) }
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

    /// The config's politeness and health rules for one feed.
    private func policy(_ source: FeedSource?) -> FetchPolicy {
        let interval = source?.interval ?? config.poll.interval
        return FetchPolicy(schedule: PollSchedule(interval: interval, maxInterval: config.poll.maxInterval),
                           adaptive: config.poll.adaptive ? (config.poll.minInterval ?? interval, config.poll.maxInterval) : nil,
                           failingAfter: config.health?.failingAfter, silentAfter: config.health?.silentAfter, name: source?.name)
    }

    /// Decides about one poll and adds the decision to the batch.
    private func decide(_ feed: FeedRecord, source: FeedSource?, _ result: FetchResult, now: Timestamp, into batch: inout Batch) {
        let decision = FetchDecision.decide(feed, result, policy: policy(source), now: now, random: random)
        batch.outcomes.append(decision.outcome)
        if let failure = decision.failure { batch.failures.append((feed.url, failure)) }
    }

    /// `parsed`: the document of a 2xx response, or why it is not a feed.
    private func finish(_ feed: FeedRecord, source: FeedSource?, response r: FetchResponse, parsed: Result<Document, Error>?,
                        now: Timestamp, into batch: inout Batch, _ summary: inout Summary) throws(StoreError) {
        if case TransferError.interrupted? = r.error as? TransferError {
            summary.interrupted += 1
            return
        }
        summary.polled += 1
        let status = r.status == 0 ? nil : r.status
        let result: FetchResult
        if let error = r.error {
            result = .failed(status: status, message: error is FeedParseError ? FailureText.notAFeed(error) : FailureText.of(error))
        } else {
            let fresh = FreshnessHeaders.freshness(cacheControl: r.headers["cache-control"], expires: r.headers["expires"],
                                                   date: r.headers["date"], now: now)
            switch r.status {
            case 304:
                result = .notModified(status: 304, freshFor: fresh)
            case 200..<300:
                switch parsed {
                case .success(let document)?:
                    // Decided with the batch's other documents, at its end.
                    let ttl = document.parsed.feed.ttlMinutes.map { max(fresh ?? 0, $0 * 60) }
                    batch.waiting.append(Batch.Waiting(feed: feed, source: source, document: document) { n in
                        .document(status: r.status, freshFor: ttl ?? fresh, etag: r.headers["etag"], lastModified: r.headers["last-modified"],
                                  movedTo: r.permanentRedirect, newItems: n, title: document.parsed.feed.title)
                    })
                    return
                case .failure(let announced as AnnouncedFeed)?:
                    summary.moves.append(FeedMove(configured: feed.url, announced: announced.url))
                    result = .announces(status: r.status, feedURL: announced.url)
                case .failure(let error)?: result = .failed(status: r.status, message: FailureText.notAFeed(error))
                case nil: result = .failed(status: r.status, message: "not a feed: no document")
                }
            case 410:
                result = .gone(status: 410)
            case 429, 503:
                // The delay counts from now, when the response is in hand — not from the cycle's
                // start, which may be a long transfer earlier.
                if let until = r.headers["retry-after"].flatMap({ FreshnessHeaders.retryAfter($0, receivedAt: preciseClock()) }) {
                    result = .retryAfter(status: r.status, host: FeedFetcher.host(of: r.url), until: until)
                } else {
                    result = .failed(status: r.status, message: "HTTP \(r.status)")
                }
            default:
                result = .failed(status: r.status, message: "HTTP \(r.status)")
            }
        }
        decide(feed, source: source, result, now: now, into: &batch)
    }

    /// Decides the items of every document the batch fetched, in one order — publication time
    /// across all of them (within a document, `PublicationOrder`'s; undated items last, as seen) —
    /// so the stories do not depend on which feed's transfer finished first; then each feed's
    /// outcome, now that its new items are counted.
    private func decideWaiting(_ batch: inout Batch) throws(StoreError) {
        let waiting = batch.waiting
        batch.waiting = []
        guard !waiting.isEmpty else { return }
        let now = cycleStart
        let earliest = waiting.flatMap { $0.document.candidates.compactMap(\.item.published) }.min()
        if waiting.contains(where: { !$0.document.candidates.isEmpty }) { try catchUpStories(now: now, earliest: earliest ?? now) }
        var order: [(time: Timestamp, document: Int, rank: Int, item: Int)] = []
        let triage = try ledger.triage(waiting.map { (feedID: $0.feed.id, candidates: $0.document.candidates) })
        for (d, w) in waiting.enumerated() {
            let candidates = w.document.candidates
            for (rank, i) in PublicationOrder.positions(published: candidates.map(\.item.published), now: now).enumerated() {
                order.append((min(candidates[i].item.published ?? now, now), d, rank, i))
            }
        }
        order.sort { ($0.time, $0.document, $0.rank) < ($1.time, $1.document, $1.rank) }
        // Applied in the order decided — one run per stretch of a feed's items — so alerts are
        // stored in the order their stories grew (a sink's `first` and `milestones` read them so).
        var runs: [DocumentIntents] = []
        var newItems = [Int](repeating: 0, count: waiting.count)
        for o in order {
            let w = waiting[o.document]
            let decided = decider.decide(feed: w.feed, feedTitle: w.source?.name ?? w.document.parsed.feed.title,
                                         candidate: w.document.candidates[o.item], known: triage[o.document][o.item], now: now,
                                         muted: corrections?.muted ?? [], first: firstOf, pending: &batch.pending)
            if runs.last?.feedID != w.feed.id { runs.append(DocumentIntents(feedID: w.feed.id, at: now, items: [])) }
            runs[runs.count - 1].items.append(decided.intent)
            if decided.isNew { newItems[o.document] += 1 }
            if decided.alerted { batch.newAlerts += 1 }
        }
        batch.documents += runs
        batch.newItems += newItems.reduce(0, +)
        batch.parsedItems += waiting.reduce(0) { $0 + $1.document.candidates.count }
        for (d, w) in waiting.enumerated() { decide(w.feed, source: w.source, w.outcome(newItems[d]), now: now, into: &batch) }
    }

    /// The story's earliest-published item — this one, or one stored before it — as its alert
    /// names it (`story of 4 · first: The Verge, 09:53`); none for a story of one.
    /// A store that cannot say falls back to this item: only the note is at stake.
    private func firstOf(_ story: StoryAssignment, item at: Timestamp, outlet: String?) -> Alert.Story.First? {
        guard story.size > 1 else { return nil }
        guard let stored = try? ledger.storyFirst(story.id), stored.at <= at else { return Alert.Story.First(outlet: outlet, published: at) }
        return Alert.Story.First(outlet: outletNames[stored.feedURL] ?? FeedFetcher.host(of: stored.feedURL), published: stored.at)
    }

    /// Each configured feed's name, by URL.
    private var outletNames: [String: String] {
        if let known = outletNamesMemo { return known }
        let names = Dictionary(sources.compactMap { s in s.name.map { (s.url, $0) } }, uniquingKeysWith: { a, _ in a })
        outletNamesMemo = names
        return names
    }
    private var outletNamesMemo: [String: String]?

    private func finishLocal(_ feed: FeedRecord, source: FeedSource?, options: ParseOptions, now: Timestamp,
                             into batch: inout Batch, _ summary: inout Summary) throws(StoreError) {
        summary.polled += 1
        let result: FetchResult
        do {
            // Only a regular file, read within `poll.timeout`: a FIFO or a hung mount must not stall the cycle.
            let file = try LocalFile(path: LocalPath.fromFileURL(feed.currentURL), regularOnly: true,
                                     deadline: Monotonic.seconds() + Double(config.poll.timeout))
            if let etag = feed.etag, etag == file.validator {
                result = .notModified(status: 304, freshFor: nil)
            } else {
                let parser = FeedParser(options: options, documentURL: feed.currentURL)
                try file.chunks { try parser.feed($0) }
                let parsed = try parser.finish()
                let validator = file.validator
                batch.waiting.append(Batch.Waiting(feed: feed, source: source, document: Document(parsed, feedURL: feed.currentURL)) { n in
                    .document(status: 200, freshFor: parsed.feed.ttlMinutes.map { $0 * 60 }, etag: validator, lastModified: nil,
                              movedTo: nil, newItems: n, title: parsed.feed.title)
                })
                return
            }
        } catch let error as StoreError {
            throw error
        } catch {
            result = .failed(status: nil, message: FailureText.of(error))
        }
        decide(feed, source: source, result, now: now, into: &batch)
    }
}
