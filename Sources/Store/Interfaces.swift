public import FeedwatchCore

// The store's seam, cut by client. Each interface is what one part of the daemon needs and no
// more, so an engine (the embedded SQLite file, a PostgreSQL server shared by a fleet) implements
// them without knowing who calls, and a caller never sees the engine: no SQL, no row ids, no
// transaction control. Decisions are made by the callers before they write (`FetchDecision`,
// `ItemDecision`); the store applies what was decided, all of it or none.
//
// Positions (`StoredAlert.position`, `StoryMember.position`) are the order in which writes
// *committed*: a reader that has seen position p never later meets a new row at or below p. An
// engine whose sequence values are handed out before commit (any server database) must not
// expose them as positions.

/// A node's claim on work for a while: a feed it fetches, a sink it delivers. In one process
/// (the SQLite store, held by one writer under `StoreLock`) nobody else can claim anything and
/// the lease is not recorded; a shared store records it and gives the work to another node once
/// it runs out.
public struct Lease: Sendable, Equatable {
    public var node: String
    public var seconds: Int

    public init(node: String, seconds: Int) {
        self.node = node
        self.seconds = seconds
    }
}

/// What one poll of a feed came to, as recorded: the fetch's outcome (health, validators, next
/// poll), a host's `Retry-After`, and the health alerts the poll raised — written together, so a
/// crash can neither count a failure without its alert nor alert twice.
public struct FeedOutcome: Sendable {
    public var feedID: Int64
    public var fetch: FetchOutcome
    public var blockHost: (host: String, until: Timestamp)?
    /// A change of the "silent" mark, if any.
    public var silentAlerted: Bool?
    public var alerts: [Alert]

    public init(feedID: Int64, fetch: FetchOutcome, blockHost: (host: String, until: Timestamp)? = nil, silentAlerted: Bool? = nil,
                alerts: [Alert] = []) {
        self.feedID = feedID
        self.fetch = fetch
        self.blockHost = blockHost
        self.silentAlerted = silentAlerted
        self.alerts = alerts
    }
}

/// The poller's feeds: which are due, and what polling them came to.
public protocol FeedQueue: AnyObject {
    /// Makes the store's feeds the config's: adds new ones (due at once), marks removed ones
    /// inactive, and clears `gone` and backoff for an entry whose config changed. Returns the
    /// active feeds.
    func syncFeeds(_ entries: [(url: String, entry: String)], now: Timestamp) throws(StoreError) -> [FeedRecord]
    /// Active feeds due at `now`, soonest first, claimed for `lease` (none another node holds).
    func claimDue(at now: Timestamp, limit: Int, lease: Lease) throws(StoreError) -> [FeedRecord]
    /// When the next active feed falls due, or `nil` when none will.
    func nextDue() throws(StoreError) -> Timestamp?
    /// Records polls' outcomes (and releases their claims), in one commit.
    func record(_ outcomes: [FeedOutcome]) throws(StoreError)
    /// Hosts that must not be asked anything at `now` (429/503 with `Retry-After`), with the
    /// time they may be again.
    func blockedHosts(at now: Timestamp) throws(StoreError) -> [String: Timestamp]
}

/// What the store already holds of a fetched item, under its feed and across feeds.
public enum Triage: Equatable, Sendable {
    /// Not stored under its feed, and no copy of a stored article.
    case new
    /// Not stored under its feed, but the same article as a stored item (same canonical link,
    /// or same title and summary on the same site): stored, never alerted.
    case copy
    /// Stored under its feed, text unchanged.
    case unchanged
    /// Stored under its feed, text changed: updated in place, not alerted again.
    case updated
}

/// What to do with one item of a fetched document, as decided before the write.
public struct ItemIntent: Sendable {
    public enum Action: Sendable {
        /// Seen again: only when it was last seen changes.
        case touch
        /// Edited: its text is replaced.
        case update
        /// New: stored, placed in `story`, alerted with `alert` (either may be absent: an item
        /// that matched no topic, or a first fetch's archive).
        case insert(story: StoryLink?, alert: Alert?)
        /// New to its feed but a copy of an article stored earlier (or earlier in this apply).
        case insertCopy
    }
    public var candidate: ItemCandidate
    public var action: Action

    public init(_ candidate: ItemCandidate, _ action: Action) {
        self.candidate = candidate
        self.action = action
    }

    public var isNew: Bool {
        switch action {
        case .insert, .insertCopy: true
        case .touch, .update: false
        }
    }
}

/// A fetched document's decided intents, or a stretch of them: a batch may interleave several
/// feeds' items in the order they were decided, and a feed's counts (items seen, publishing rate)
/// then move once per apply, over all its stretches.
public struct DocumentIntents: Sendable {
    public var feedID: Int64
    public var at: Timestamp
    public var items: [ItemIntent]

    public init(feedID: Int64, at: Timestamp, items: [ItemIntent]) {
        self.feedID = feedID
        self.at = at
        self.items = items
    }
}

/// Story members read back, and the ledger position they were read at.
public struct StoryMembers: Sendable {
    public var members: [StoryMember]
    /// The ledger's position when they were read: decisions made on them are based on it.
    public var through: Int64

    public init(members: [StoryMember], through: Int64) {
        self.members = members
        self.through = through
    }
}

/// The items, their stories and their alerts.
public protocol ItemLedger: AnyObject {
    /// What the store holds of `candidates` (one answer each, in order), read before deciding.
    func triage(feedID: Int64, _ candidates: [ItemCandidate]) throws(StoreError) -> [Triage]
    /// `triage(feedID:_:)` for several documents at once (one answer list per document, in
    /// order), read together before a batch is decided: a store across a network answers in one
    /// round trip instead of one per document.
    func triage(_ documents: [(feedID: Int64, candidates: [ItemCandidate])]) throws(StoreError) -> [[Triage]]
    /// Applies documents' intents in one commit: all of them, or — on any error — none. The
    /// intents were decided on the ledger as of `position` (what the deciding story index had
    /// read); a store several writers share refuses with `.conflict` when story placements or
    /// items were committed after it that the decisions could not see (a new item another writer
    /// stored since the triage, another node's story members), and the caller decides again after
    /// catching up. An item's alert and story are written with it, so a crash can neither lose an
    /// alert nor give one item two. Returns the ledger's position after the apply.
    func apply(_ documents: [DocumentIntents], basedOn position: Int64) throws(StoreError) -> Int64
    /// Items placed in a story at or after `since`, committed after `position`, in commit order
    /// — what the story index lacks (after a start, or what another writer stored since) — and
    /// the position they bring the reader to, read together.
    func storyMembers(after position: Int64, since: Timestamp) throws(StoreError) -> StoryMembers
    /// The feed and placement time of a story's earliest-published item stored so far.
    func storyFirst(_ story: String) throws(StoreError) -> (feedURL: String, at: Timestamp)?
    /// What grouping must follow of the corrections made by hand (merges, splits, mutes).
    func storyCorrections(at now: Timestamp) throws(StoreError) -> StoryCorrections
    /// Holds story placement for this writer, from before its catch-up read (`storyMembers`)
    /// until its next `apply` (or `releasePlacement`): a store several writers share lets one
    /// place at a time, so decisions made on what the catch-up read are not refused, and the
    /// fleet makes the stories one writer would. Waits while another writer holds it.
    func holdPlacement() throws(StoreError)
    /// Lets go of placement (idempotent); `apply` lets go by itself once it committed.
    func releasePlacement()
    /// A second writer on the same store — its own connection, used by one other thread — that
    /// applies and records a decided batch while this one decides the next; nil where applying
    /// costs this process's own CPU anyway (a store in the process), so overlapping would gain
    /// nothing. The caller keeps placement held on this ledger until the pipeline drains.
    func pipelineWriter() throws(StoreError) -> (any FeedQueue & ItemLedger)?
    /// Whether another writer waits for placement while this one holds it: a writer that keeps
    /// placement across batches (the pipeline) lets go then, so a fleet's nodes take turns
    /// batch by batch instead of one placing its whole cycle while the others' fetches stall.
    func placementWanted() throws(StoreError) -> Bool
}

extension AlertOutbox {
    /// A store one process holds records no claim.
    public func releaseSink(_ sink: String, lease: Lease) throws(StoreError) {}
}

extension ItemLedger {
    /// A store in the process answers each document as cheaply on its own.
    public func triage(_ documents: [(feedID: Int64, candidates: [ItemCandidate])]) throws(StoreError) -> [[Triage]] {
        var out: [[Triage]] = []
        out.reserveCapacity(documents.count)
        for d in documents { out.append(d.candidates.isEmpty ? [] : try triage(feedID: d.feedID, d.candidates)) }
        return out
    }

    /// A store one process writes (`StoreLock`) has no other writer to wait for.
    public func holdPlacement() throws(StoreError) {}
    public func releasePlacement() {}
    /// Applying is this process's own work: nothing to overlap it with.
    public func pipelineWriter() throws(StoreError) -> (any FeedQueue & ItemLedger)? { nil }
    /// No other writer to take turns with.
    public func placementWanted() throws(StoreError) -> Bool { false }
}

/// Delivery's queue: every stored alert is queued for every sink; each sink reads past its own
/// cursor, in commit order, and moves it only once the sink took the alerts.
public protocol AlertOutbox: AnyObject {
    /// Gives every sink of `names` the store does not know yet its place in the queue: after the
    /// newest alert. Returns the sinks added.
    func registerSinks(_ names: [String]) throws(StoreError) -> [String]
    /// Every sink the store keeps a place for (configured now or once).
    func knownSinks() throws(StoreError) -> [String: SinkState]
    /// A sink's cursor and retry state; `nil` for a sink never registered.
    func sinkState(sink: String) throws(StoreError) -> SinkState?
    /// Claims `sink` for `lease`: false while another node delivers it.
    func claimSink(_ sink: String, lease: Lease) throws(StoreError) -> Bool
    /// Lets go of a claim once a round of delivery is done, so the next round — this node's or
    /// another's, or a `once` after this one — need not wait for the lease to run out.
    func releaseSink(_ sink: String, lease: Lease) throws(StoreError)
    /// Alerts committed after `position`, in commit order.
    func alerts(after position: Int64, limit: Int) throws(StoreError) -> [StoredAlert]
    /// How many alerts are stored after `position`.
    func alertCount(after position: Int64) throws(StoreError) -> Int
    /// The position of the newest alert (0 if none).
    func lastAlertPosition() throws(StoreError) -> Int64
    /// Alerts created in `from..<to`, oldest first (a digest's period).
    func alerts(createdFrom from: Timestamp, to: Timestamp) throws(StoreError) -> [StoredAlert]
    /// The sink took everything up to `position`: its cursor moves there, its retry state clears,
    /// and the story sizes it saw are recorded, together.
    func acknowledge(sink: String, through position: Int64, storySizes: [String: Int]) throws(StoreError)
    /// How large each of `stories` was in the last of its alerts `sink` took (absent: none yet).
    func storySizes(sink: String, stories: [String]) throws(StoreError) -> [String: Int]
    /// After a failed attempt: how many in a row, when to try again, why (0 attempts: it works).
    func fail(sink: String, attempts: Int, nextAttemptAt: Timestamp, error: String) throws(StoreError)
    /// Gives up on `alerts` for `sink`: dead-letters them and moves the cursor to `cursor`
    /// (never back), clearing the retry state, in one commit.
    func deadLetter(sink: String, _ alerts: [StoredAlert], attempts: Int, error: String, at: Timestamp, cursor: Int64) throws(StoreError)
    /// Dead letters, of one sink or all, oldest first.
    func deadLetters(sink: String?) throws(StoreError) -> [DeadLetter]
    /// Marks dead letters for sending again (an alert id, or all when `nil`); returns how many.
    func requeue(alertID: String?) throws(StoreError) -> Int
    /// A requeued dead letter went out: forgotten.
    func removeDeadLetter(sink: String, position: Int64) throws(StoreError)
    /// Records a digest's summary block.
    func setSummaryTime(sink: String, at: Timestamp) throws(StoreError)
    /// Hands `old`'s place in the queue and its dead letters to `new` (which keeps the earlier of
    /// the two places), then forgets `old` — a sink renamed by an edit of its URL or path.
    func moveSink(_ old: String, to new: String) throws(StoreError)
    /// Forgets a sink that is no longer configured: its place, dead letters and story sizes.
    func forgetSink(_ name: String) throws(StoreError)
}

/// What the commands (`status`, `stories`, the digest's summary) read.
public protocol StoreReadModel: AnyObject {
    /// Every feed the config still names.
    func allFeeds() throws(StoreError) -> [FeedRecord]
    /// How many feeds the config names, and how many of them are failing (for STATUS=).
    func feedCounts() throws(StoreError) -> (feeds: Int, failing: Int)
    /// Stories seen at or after `since`, largest first, with their items and the items' copies.
    func stories(since: Timestamp, limit: Int) throws(StoreError) -> [StoredStory]
    /// One story by id, however old (a story's page); nil when there is none.
    func story(id: String) throws(StoreError) -> StoredStory?
    /// Every item placed in a story at or after `since` (`stories explain`).
    func storyMembers(since: Timestamp) throws(StoreError) -> [StoryMember]
    /// Which node holds each feed now (a live lease), by feed id: none in a store one process
    /// holds, which records no lease.
    func feedHolders() throws(StoreError) -> [Int64: String]
    /// Items first seen at or after `since`, copies left out, in the order they were stored
    /// (`classify --stored` classifies them again with today's queries).
    func storedItems(seenSince since: Timestamp) throws(StoreError) -> [StoredItem]
}

extension StoreReadModel {
    public func feedHolders() throws(StoreError) -> [Int64: String] { [:] }
}

/// Corrections by hand (`feedwatch stories merge/split/mute/unmute`), on whatever engine holds
/// the stories, so a fleet's operator corrects its stories as one machine's would. Each is one
/// commit; an engine several writers share orders it among the placements (it waits for the
/// placement lock and takes a position, as `apply` does), so every writer's grouping follows it
/// from its next catch-up on (`storyCorrections`).
public protocol StoryCorrecting: AnyObject {
    /// The stories become one, the one whose first item was published first (as grouping
    /// merges), which is returned. Unknown ids throw `.notFound`; ids merged before are followed
    /// to their story; ids that are one story already throw `.conflict`.
    func mergeStories(_ ids: [String], now: Timestamp) throws(StoreError) -> String
    /// The item `ref` names (its alert id, link or id in its feed) leaves its story for a story
    /// of its own, which grouping keeps apart from the old one. Returns the new story's id and
    /// the old one's; `nil` when the item is alone in its story (nothing to split).
    func splitItem(_ ref: String, now: Timestamp) throws(StoreError) -> (new: String, old: String)?
    /// Until `until` (`nil`: for good) the story's items alert no sink. Returns the story muted
    /// (an absorbed id is followed to its story).
    func muteStory(_ id: String, until: Timestamp?, now: Timestamp) throws(StoreError) -> String
    /// Lets a muted story alert again from its next item on. Returns the story, or `nil` if it
    /// was not muted.
    func unmuteStory(_ id: String, now: Timestamp) throws(StoreError) -> String?
}

/// Retention.
public protocol StoreMaintenance: AnyObject {
    /// Forgets the text of items last seen before `cutoff` and alert records older than it that
    /// every sink in `sinks` has taken; the items' dedupe keys stay, so an old item reappearing
    /// in a feed does not alert again. Returns how many items were pruned.
    func prune(before cutoff: Timestamp, sinks: [String]) throws(StoreError) -> Int
}

/// Everything a store engine provides; only the executable, which opens one, names all of it.
public typealias FeedStore = FeedQueue & ItemLedger & AlertOutbox & StoreReadModel & StoreMaintenance & StoryCorrecting

/// What delivery uses: the outbox, and the feeds' health for a digest's summary.
public typealias DeliveryStore = AlertOutbox & StoreReadModel
