public import FeedwatchCore
public import Store

/// A store in memory, behind every interface of the seam: what the poller's and delivery's unit
/// tests run on, so they test the cycle and the outbox, not an engine. It passes the same
/// conformance suite as the real engines (`StoreConformance`), which is what makes a test on it
/// mean something. Every write is all-or-nothing, as a transaction would be.
public final class MemoryStore: FeedQueue, ItemLedger, AlertOutbox, StoreReadModel, StoreMaintenance, StoryCorrecting {
    struct Feed {
        var record: FeedRecord
        var entry: String
        var active: Bool
    }

    struct Item {
        var id: Int64
        var feedID: Int64
        var entryKey: String
        var contentHash: String
        var title: String?
        var link: String?
        var summary: String?
        var published: Timestamp?
        var firstSeen: Timestamp
        var lastSeen: Timestamp
        var articleKey: Int64?
        var textKey: Int64?
        var duplicateOf: Int64?
        var storyID: String?
        var storyAt: Timestamp?
    }

    struct Story {
        var title: String?
        var firstSeen: Timestamp
        var lastSeen: Timestamp
        var size: Int
        var topics: [String]
    }

    struct StoredRecord {
        var position: Int64
        var id: String
        var createdAt: Timestamp
        var record: String
    }

    struct State {
        var feeds: [Feed] = []
        var items: [Item] = []
        var itemByKey: [ItemKey: Int] = [:]
        var stories: [String: Story] = [:]
        var alerts: [StoredRecord] = []
        var sinks: [String: SinkState] = [:]
        var sinkStories: [String: [String: Int]] = [:]
        var dead: [DeadLetter] = []
        var hosts: [String: Timestamp] = [:]
        var nextPosition: Int64 = 1
        /// Corrections by hand (`MemoryStore+Corrections.swift`).
        var merges: [String: String] = [:]
        var mutes: [String: Timestamp?] = [:]
        var apart: Set<[String]> = []
        /// The position of the last merge or split by hand.
        var regroupMark: Int64 = 0
        /// The item each alert is about, by alert id (`split` names an item by it).
        var alertItems: [String: Int64] = [:]
    }

    var state = State()

    /// Faults to inject, for the tests of what the poller and delivery do when the store fails.
    public struct Faults {
        /// The next this many `apply` calls fail (nothing of them is kept).
        public var failingApplies = 0
        /// The `apply` call with this number fails (counted as `applies` counts them, from 1):
        /// a later batch of a cycle whose earlier batches were stored.
        public var failingApplyNumber: Int?
        /// The next this many `record` calls fail.
        public var failingRecords = 0
        /// The next this many `apply` calls are refused as a shared store refuses decisions made
        /// on a ledger another writer has moved since (`.conflict`).
        public var conflictingApplies = 0
        /// Another node took this process's claims: `record` refuses with `.conflict` until
        /// cleared, as a shared store refuses an outcome for a feed whose lease ran out.
        public var leaseLost = false
        /// Calls to `apply` and `record` seen, failed or not.
        public var applies = 0
        public var records = 0
        public init() {}
    }
    public var faults = Faults()

    public init() {}

    /// Runs `body` on a copy of the state and keeps it only if `body` did not throw.
    func write<T>(_ body: (inout State) throws(StoreError) -> T) throws(StoreError) -> T {
        var copy = state
        let result = try body(&copy)
        state = copy
        return result
    }

    // MARK: FeedQueue

    public func syncFeeds(_ entries: [(url: String, entry: String)], now: Timestamp) throws(StoreError) -> [FeedRecord] {
        try write { (s: inout State) -> [FeedRecord] in
            var wanted = Set<String>()
            for (url, entry) in entries {
                wanted.insert(url)
                if let i = s.feeds.firstIndex(where: { $0.record.url == url }) {
                    if s.feeds[i].entry != entry {
                        s.feeds[i].entry = entry
                        s.feeds[i].record.gone = false
                        s.feeds[i].record.errorsInRow = 0
                        s.feeds[i].record.nextDueAt = now
                    }
                    s.feeds[i].active = true
                } else {
                    s.feeds.append(Feed(record: FeedRecord(id: Int64(s.feeds.count + 1), url: url, currentURL: url, nextDueAt: now),
                                        entry: entry, active: true))
                }
            }
            for i in s.feeds.indices where !wanted.contains(s.feeds[i].record.url) { s.feeds[i].active = false }
            return s.feeds.filter(\.active).map(\.record)
        }
    }

    public func claimDue(at now: Timestamp, limit: Int, lease: Lease) throws(StoreError) -> [FeedRecord] {
        Array(state.feeds.filter { $0.active && !$0.record.gone && $0.record.nextDueAt <= now }.map(\.record)
            .sorted { ($0.nextDueAt, $0.id) < ($1.nextDueAt, $1.id) }.prefix(limit))
    }

    public func nextDue() throws(StoreError) -> Timestamp? {
        state.feeds.filter { $0.active && !$0.record.gone }.map(\.record.nextDueAt).min()
    }

    public func record(_ outcomes: [FeedOutcome]) throws(StoreError) {
        faults.records += 1
        if faults.leaseLost { throw StoreError(.conflict, "lease lost: another node holds these feeds") }
        if faults.failingRecords > 0 {
            faults.failingRecords -= 1
            throw StoreError(.other, "injected: record failed")
        }
        try write { (s: inout State) throws(StoreError) in
            for o in outcomes {
                guard let i = s.feeds.firstIndex(where: { $0.record.id == o.feedID }) else { throw StoreError(.notFound, "no feed \(o.feedID)") }
                var f = s.feeds[i].record
                let fetch = o.fetch
                if let moved = fetch.movedTo { f.currentURL = moved }
                f.lastFetchAt = fetch.at
                f.lastStatus = fetch.status
                f.lastError = fetch.error
                f.nextDueAt = fetch.nextDueAt
                f.gone = fetch.gone
                f.errorsInRow = fetch.error == nil ? 0 : f.errorsInRow + 1
                if fetch.error == nil {
                    if fetch.status != 304 {
                        f.etag = fetch.etag
                        f.lastModified = fetch.lastModified
                    }
                    f.fetchedOnce = true
                }
                if let silent = o.silentAlerted { f.silentAlerted = silent }
                s.feeds[i].record = f
                if let (host, until) = o.blockHost { s.hosts[host] = max(s.hosts[host] ?? until, until) }
                for alert in o.alerts where !s.alerts.contains(where: { $0.id == alert.id }) {
                    s.alerts.append(StoredRecord(position: s.nextPosition, id: alert.id, createdAt: fetch.at, record: alert.record))
                    s.nextPosition += 1
                }
            }
        }
    }

    public func blockedHosts(at now: Timestamp) throws(StoreError) -> [String: Timestamp] {
        state.hosts = state.hosts.filter { $0.value > now }
        return state.hosts
    }

    // MARK: ItemLedger

    public func triage(feedID: Int64, _ candidates: [ItemCandidate]) throws(StoreError) -> [Triage] {
        candidates.map { c in
            if let i = state.itemByKey[ItemKey(feedID: feedID, entryKey: c.entryKey)] {
                return state.items[i].contentHash == c.contentHash ? .unchanged : .updated
            }
            return Self.original(of: c, in: state) != nil ? .copy : .new
        }
    }

    private static func original(of c: ItemCandidate, in s: State) -> Int64? {
        for key in [c.articleKey, c.textKey] {
            guard let key else { continue }
            if let hit = s.items.first(where: { key == c.articleKey ? $0.articleKey == key : $0.textKey == key }) {
                return hit.duplicateOf ?? hit.id
            }
        }
        return nil
    }

    /// The position is the last one handed out (to an item or an alert).
    public func apply(_ documents: [DocumentIntents], basedOn position: Int64) throws(StoreError) -> Int64 {
        faults.applies += 1
        if faults.failingApplies > 0 || faults.failingApplyNumber == faults.applies {
            faults.failingApplies = max(0, faults.failingApplies - 1)
            throw StoreError(.other, "injected: apply failed")
        }
        if faults.conflictingApplies > 0 {
            faults.conflictingApplies -= 1
            throw StoreError(.conflict, "injected: another writer applied first")
        }
        guard !documents.isEmpty else { return position }
        guard state.nextPosition - 1 <= position else {
            throw StoreError(.conflict, "items were stored after position \(position) (now \(state.nextPosition - 1)): decide again")
        }
        return try write { (s: inout State) throws(StoreError) -> Int64 in
            // A feed's items may come in several runs: its counts move once, over all of them.
            var found: [Int64: (at: Timestamp, new: Int, dates: [Int64])] = [:]
            var order: [Int64] = []
            for d in documents {
                var new = 0
                var dates: [Int64] = []
                defer {
                    if found[d.feedID] == nil { order.append(d.feedID) }
                    found[d.feedID, default: (d.at, 0, [])].new += new
                    found[d.feedID]!.dates += dates
                }
                for intent in d.items {
                    let c = intent.candidate
                    let key = ItemKey(feedID: d.feedID, entryKey: c.entryKey)
                    switch intent.action {
                    case .touch:
                        if let i = s.itemByKey[key] { s.items[i].lastSeen = d.at }
                    case .update:
                        if let i = s.itemByKey[key] {
                            s.items[i].contentHash = c.contentHash
                            s.items[i].title = c.item.title
                            s.items[i].link = c.item.link
                            s.items[i].summary = c.item.summary
                            s.items[i].published = c.item.published
                            s.items[i].lastSeen = d.at
                        }
                    case .insert, .insertCopy:
                        guard s.itemByKey[key] == nil else {
                            throw StoreError(.conflict, "item \(c.entryKey) of feed \(d.feedID) was stored since it was triaged")
                        }
                        var original: Int64?
                        if case .insertCopy = intent.action { original = Self.original(of: c, in: s) }
                        let id = s.nextPosition
                        s.nextPosition += 1
                        var item = Item(id: id, feedID: d.feedID, entryKey: c.entryKey, contentHash: c.contentHash, title: c.item.title,
                                        link: c.item.link, summary: c.item.summary, published: c.item.published, firstSeen: d.at,
                                        lastSeen: d.at, articleKey: c.articleKey, textKey: c.textKey, duplicateOf: original)
                        new += 1
                        if let p = c.item.published { dates.append(p.secondsSince1970) }
                        if case .insert(let story, let alert) = intent.action {
                            if let story {
                                if var known = s.stories[story.id] {
                                    known.size += 1
                                    known.lastSeen = max(known.lastSeen, d.at)
                                    for t in story.topics where !known.topics.contains(t) { known.topics.append(t) }
                                    s.stories[story.id] = known
                                } else {
                                    s.stories[story.id] = Story(title: story.title, firstSeen: d.at, lastSeen: d.at, size: 1, topics: story.topics)
                                }
                                item.storyID = story.id
                                item.storyAt = story.at
                                for from in story.absorbed where from != story.id {
                                    Self.carryCorrections(from: from, into: story.id, now: d.at, in: &s)
                                    guard let gone = s.stories.removeValue(forKey: from) else { continue }
                                    for i in s.items.indices where s.items[i].storyID == from { s.items[i].storyID = story.id }
                                    var into = s.stories[story.id]!
                                    for t in gone.topics where !into.topics.contains(t) { into.topics.append(t) }
                                    into.firstSeen = min(into.firstSeen, gone.firstSeen)
                                    into.lastSeen = max(into.lastSeen, gone.lastSeen)
                                    into.size += gone.size
                                    s.stories[story.id] = into
                                }
                            }
                            if let alert {
                                guard !s.alerts.contains(where: { $0.id == alert.id }) else {
                                    throw StoreError(.conflict, "alert \(alert.id) is stored already")
                                }
                                s.alerts.append(StoredRecord(position: s.nextPosition, id: alert.id, createdAt: d.at, record: alert.record))
                                s.alertItems[alert.id] = id
                                s.nextPosition += 1
                            }
                        }
                        s.itemByKey[key] = s.items.count
                        s.items.append(item)
                    }
                }
            }
            for feed in order {
                let (at, new, dates) = found[feed]!
                guard new > 0, let i = s.feeds.firstIndex(where: { $0.record.id == feed }) else { continue }
                var f = s.feeds[i].record
                f.itemsSeen += new
                let now = at.secondsSince1970
                if let last = f.lastNewAt?.secondsSince1970 {
                    f.publishGap = f.publishGap.map { Int(($0 * 3 + Int(now - last)) / 4) } ?? Int(now - last)
                    f.gapsSeen += 1
                } else if dates.count >= 2 {
                    f.publishGap = Int((dates.max()! - dates.min()!) / Int64(dates.count - 1))
                    f.gapsSeen += dates.count - 1
                }
                f.lastNewAt = at
                s.feeds[i].record = f
            }
            return s.nextPosition - 1
        }
    }

    public func storyMembers(after position: Int64, since: Timestamp) throws(StoreError) -> StoryMembers {
        StoryMembers(members: members { $0.id > position && ($0.storyAt.map { $0 >= since } ?? false) },
                     through: max(position, state.nextPosition - 1))
    }

    public func storyMembers(since: Timestamp) throws(StoreError) -> [StoryMember] {
        members { $0.storyAt.map { $0 >= since } ?? false }
    }

    public func storyFirst(_ story: String) throws(StoreError) -> (feedURL: String, at: Timestamp)? {
        guard let first = state.items.filter({ $0.storyID == story }).min(by: { ($0.storyAt!, $0.id) < ($1.storyAt!, $1.id) }) else { return nil }
        return (state.feeds.first { $0.record.id == first.feedID }?.record.url ?? "", first.storyAt!)
    }

    func members(_ include: (Item) -> Bool) -> [StoryMember] {
        state.items.filter { $0.storyID != nil && include($0) }.sorted { ($0.storyAt!, $0.id) < ($1.storyAt!, $1.id) }.compactMap { i in
            guard let id = i.storyID, let story = state.stories[id] else { return nil }
            return StoryMember(position: i.id, item: ItemKey(feedID: i.feedID, entryKey: i.entryKey), title: i.title, summary: i.summary,
                               at: i.storyAt!, storyID: id, storySize: story.size, storyFirstSeen: story.firstSeen)
        }
    }

    /// Stores a record as it is, readable or not: what an older or broken writer may have left
    /// in a real store, for the tests of what delivery does with it.
    public func insertRawAlert(id: String, record: String, at: Timestamp) {
        state.alerts.append(StoredRecord(position: state.nextPosition, id: id, createdAt: at, record: record))
        state.nextPosition += 1
    }

    // MARK: AlertOutbox

    public func registerSinks(_ names: [String]) throws(StoreError) -> [String] {
        let last = try lastAlertPosition()
        return try write { (s: inout State) -> [String] in
            var added: [String] = []
            for name in names where s.sinks[name] == nil {
                s.sinks[name] = SinkState(cursor: last, attempts: 0)
                added.append(name)
            }
            return added
        }
    }

    public func knownSinks() throws(StoreError) -> [String: SinkState] { state.sinks }
    public func sinkState(sink: String) throws(StoreError) -> SinkState? { state.sinks[sink] }
    public func claimSink(_ sink: String, lease: Lease) throws(StoreError) -> Bool { true }

    public func alerts(after position: Int64, limit: Int) throws(StoreError) -> [StoredAlert] {
        state.alerts.filter { $0.position > position }.prefix(limit).map(Self.stored)
    }

    public func alertCount(after position: Int64) throws(StoreError) -> Int { state.alerts.filter { $0.position > position }.count }
    public func lastAlertPosition() throws(StoreError) -> Int64 { state.alerts.last?.position ?? 0 }

    public func alerts(createdFrom from: Timestamp, to: Timestamp) throws(StoreError) -> [StoredAlert] {
        state.alerts.filter { $0.createdAt >= from && $0.createdAt < to }.map(Self.stored)
    }

    private static func stored(_ r: StoredRecord) -> StoredAlert {
        StoredAlert(position: r.position, id: r.id, createdAt: r.createdAt, record: r.record)
    }

    public func acknowledge(sink: String, through position: Int64, storySizes: [String: Int]) throws(StoreError) {
        try write { (s: inout State) in
            s.sinks[sink] = SinkState(cursor: position, attempts: 0, summaryAt: s.sinks[sink]?.summaryAt)
            for (story, size) in storySizes { s.sinkStories[sink, default: [:]][story] = max(s.sinkStories[sink]?[story] ?? 0, size) }
        }
    }

    public func storySizes(sink: String, stories: [String]) throws(StoreError) -> [String: Int] {
        (state.sinkStories[sink] ?? [:]).filter { stories.contains($0.key) }
    }

    public func fail(sink: String, attempts: Int, nextAttemptAt: Timestamp, error: String) throws(StoreError) {
        guard var st = state.sinks[sink] else { return }
        st.attempts = attempts
        st.nextAttemptAt = attempts == 0 ? nil : nextAttemptAt
        st.lastError = attempts == 0 ? nil : error
        state.sinks[sink] = st
    }

    public func deadLetter(sink: String, _ alerts: [StoredAlert], attempts: Int, error: String, at: Timestamp, cursor: Int64) throws(StoreError) {
        try write { (s: inout State) in
            for a in alerts {
                s.dead.removeAll { $0.sink == sink && $0.alert.position == a.position }
                s.dead.append(DeadLetter(sink: sink, alert: a, attempts: attempts, error: error, deadAt: at, requeued: false))
            }
            if var st = s.sinks[sink] {
                st.cursor = max(st.cursor, cursor)
                st.attempts = 0
                st.nextAttemptAt = nil
                st.lastError = nil
                s.sinks[sink] = st
            }
        }
    }

    public func deadLetters(sink: String?) throws(StoreError) -> [DeadLetter] {
        state.dead.filter { sink == nil || $0.sink == sink }.sorted { ($0.sink, $0.alert.position) < ($1.sink, $1.alert.position) }
    }

    public func requeue(alertID: String?) throws(StoreError) -> Int {
        var n = 0
        for i in state.dead.indices where !state.dead[i].requeued && (alertID == nil || state.dead[i].alert.id == alertID) {
            state.dead[i].requeued = true
            n += 1
        }
        return n
    }

    public func removeDeadLetter(sink: String, position: Int64) throws(StoreError) {
        state.dead.removeAll { $0.sink == sink && $0.alert.position == position }
    }

    public func setSummaryTime(sink: String, at: Timestamp) throws(StoreError) { state.sinks[sink]?.summaryAt = at }

    public func moveSink(_ old: String, to new: String) throws(StoreError) {
        try write { (s: inout State) throws(StoreError) in
            guard let from = s.sinks[old] else { throw StoreError(.notFound, "no sink \(old) in the store") }
            s.sinks[new] = SinkState(cursor: min(s.sinks[new]?.cursor ?? from.cursor, from.cursor), attempts: s.sinks[new]?.attempts ?? 0,
                                     nextAttemptAt: s.sinks[new]?.nextAttemptAt, lastError: s.sinks[new]?.lastError, summaryAt: s.sinks[new]?.summaryAt)
            for letter in s.dead where letter.sink == old && !s.dead.contains(where: { $0.sink == new && $0.alert.position == letter.alert.position }) {
                var moved = letter
                moved.sink = new
                s.dead.append(moved)
            }
            Self.forget(old, in: &s)
        }
    }

    public func forgetSink(_ name: String) throws(StoreError) {
        try write { (s: inout State) throws(StoreError) in
            guard s.sinks[name] != nil else { throw StoreError(.notFound, "no sink \(name) in the store") }
            Self.forget(name, in: &s)
        }
    }

    private static func forget(_ sink: String, in s: inout State) {
        s.sinks[sink] = nil
        s.sinkStories[sink] = nil
        s.dead.removeAll { $0.sink == sink }
    }

    // MARK: StoreReadModel

    public func allFeeds() throws(StoreError) -> [FeedRecord] { state.feeds.filter(\.active).map(\.record) }

    public func feedCounts() throws(StoreError) -> (feeds: Int, failing: Int) {
        let active = state.feeds.filter(\.active).map(\.record)
        return (active.count, active.filter { $0.errorsInRow > 0 && !$0.gone }.count)
    }

    public func stories(since: Timestamp, limit: Int) throws(StoreError) -> [StoredStory] {
        try storyRecords { _, s in s.lastSeen >= since }.prefix(limit).map { $0 }
    }

    public func story(id: String) throws(StoreError) -> StoredStory? {
        try storyRecords { key, _ in key == id }.first
    }

    private func storyRecords(_ include: (String, Story) -> Bool) throws(StoreError) -> [StoredStory] {
        let url = Dictionary(state.feeds.map { ($0.record.id, $0.record.url) }, uniquingKeysWith: { a, _ in a })
        return state.stories.filter { include($0.key, $0.value) }
            .sorted { (-$0.value.size, $0.value.firstSeen, $0.key) < (-$1.value.size, $1.value.firstSeen, $1.key) }
            .map { id, s in
                // In publication order, titled by the earliest: one story, one face.
                let items = state.items.filter { $0.storyID == id }.sorted { ($0.storyAt!, $0.id) < ($1.storyAt!, $1.id) }.map { i in
                    StoredStory.Item(feed: url[i.feedID] ?? "", id: i.entryKey.hasPrefix("id:") ? String(i.entryKey.dropFirst(3)) : nil,
                                     title: i.title, link: i.link, published: i.published,
                                     duplicates: state.items.filter { $0.duplicateOf == i.id }.map { (feed: url[$0.feedID] ?? "", link: $0.link) },
                                     placedAt: i.storyAt!)
                }
                return StoredStory(id: id, title: items.first?.title ?? s.title, size: s.size, firstSeen: s.firstSeen, lastSeen: s.lastSeen, topics: s.topics, items: items)
            }
    }

    // MARK: StoreMaintenance

    public func prune(before cutoff: Timestamp, sinks: [String]) throws(StoreError) -> Int {
        try write { (s: inout State) -> Int in
            var pruned = 0
            for i in s.items.indices where s.items[i].lastSeen < cutoff && (s.items[i].title != nil || s.items[i].link != nil || s.items[i].summary != nil) {
                s.items[i].title = nil
                s.items[i].link = nil
                s.items[i].summary = nil
                pruned += 1
            }
            if !sinks.isEmpty {
                let delivered = sinks.map { s.sinks[$0]?.cursor ?? 0 }.min() ?? 0
                s.alerts.removeAll { $0.createdAt < cutoff && $0.position <= delivered }
            }
            let gone = s.stories.filter { $0.value.lastSeen < cutoff }.map(\.key)
            for id in gone { s.stories[id] = nil }
            for sink in s.sinkStories.keys { s.sinkStories[sink] = s.sinkStories[sink]!.filter { !gone.contains($0.key) } }
            return pruned
        }
    }
}
