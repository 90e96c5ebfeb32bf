public import FeedwatchCore
public import TopicQuery
internal import Glibc

/// Which story an item joined: the story's id, how many items it holds with this one, when its
/// first item was seen, and whether this item started it.
public struct StoryAssignment: Equatable, Sendable {
    public var id: String
    public var size: Int
    public var firstSeen: Timestamp
    public var isNew: Bool
    /// Stories this item's placement brought together with it: their items now belong to `id`
    /// (the store moves them). A single pass splits a big, drifting story into sub-stories whose
    /// centroids only come close once both have grown; this is where they merge.
    public var absorbed: [String]

    public init(id: String, size: Int, firstSeen: Timestamp, isNew: Bool, absorbed: [String] = []) {
        self.id = id
        self.size = size
        self.firstSeen = firstSeen
        self.isNew = isNew
        self.absorbed = absorbed
    }
}

/// Groups items into stories online, as they arrive: an item joins the most similar recent story
/// when the similarity clears a threshold, else it starts a story of its own.
///
/// Similarity starts from the cosine of TF-IDF vectors over the stems of title and summary (the
/// title's words counted twice: a headline is the densest statement of the event) with a story's
/// centroid — the sum of its items' vectors, so a story drifting from the announcement to the
/// reactions keeps what its items share — with document frequencies from the recent stream itself,
/// decaying (half-life 7 days): in a stream selected by "facial recognition" those words weigh
/// little. Three more kinds of evidence, as in online news clustering with several feature kinds
/// (Miranda et al., EMNLP 2018), but with fixed weights (learned ones were worse: BENCHMARKS.md):
/// names (`NameEvidence`) — two items about IBM and Amazon share the event's words but not the
/// names; the lead actor — a headline that leads with a name the story never used ("Microsoft won't
/// sell…" against Amazon's story) scores lower; and time — the score halves for every half day
/// between the item and the story's nearest items, since coverage of one event comes in a burst.
/// Items must also share a few words beyond the topics': one rare word in common is a coincidence
/// more often than an event.
///
/// The window is measured on publication times, both for which items may match and for which
/// are held; with `PublicationOrder` (the order the poller places a document's items in) the
/// stories do not depend on whether a feed lists its newest or its oldest item first.
///
/// A single pass splits a big story whose wording drifts (a bankruptcy filing, then the hack
/// behind it, then the market's reaction) into sub-stories that grew apart before either was big
/// enough to attract the other's items. So when an item joins a story and was also near others,
/// the story's centroid is compared with theirs, scored as an item against a story is (names,
/// actors, time); at `mergeThreshold` the younger merges into the older, and the assignment says
/// which stories it absorbed so that the store can move their items (the index never writes).
///
/// Cost per item does not grow with the store: only items of the last `window` are held, and
/// candidates come from the posting lists of the item's rarest words only, within a budget (common
/// words cannot make a match on their own), so a word in every item is never scanned.
public final class StoryIndex {
    public struct Settings: Sendable, Equatable {
        /// Seconds an item stays a possible match for newer ones (72 h by default).
        public var window: Int
        /// Least cosine similarity to join a story.
        public var threshold: Double

        /// How much the story as a whole (its centroid) counts against its best-matching item.
        var centroidWeight: Double
        /// Seconds after which an item counts half in the document frequencies; 0: frequencies
        /// over the items in the window only (the plain clusterer, for comparison).
        var rarityHalfLife: Double = StoryIndex.defaultRarityHalfLife
        /// Words (other than the topics') an item must share with a story's item to join it (fewer
        /// for short items: a quarter of the shorter one's words, at least one).
        var minimumShared = StoryIndex.defaultMinimumShared
        /// Rarity raised to this power: above 1, shared rare words (names) outweigh shared field words more.
        var rarityPower: Double = StoryIndex.defaultRarityPower
        /// Words in more than this share of the items held are not probed for candidates.
        var commonShare: Double = 0.1
        /// How much the names an item shares with a story count against all its words (when
        /// both have names): different actors make different stories.
        var nameWeight: Double = StoryIndex.defaultNameWeight
        /// Seconds between an item and the nearest of a story's items after which the story's
        /// score halves (0: time does not count beyond the window).
        var timeHalfLife: Double = StoryIndex.defaultTimeHalfLife
        /// How much a story's score drops when the item's lead name — the first in its title, the
        /// actor of a headline ("Microsoft won't sell…") — is none of the story's names.
        var actorPenalty: Double = StoryIndex.defaultActorPenalty
        /// Whether the actor must be among the story's actors (the lead names of its items) rather
        /// than merely among its names.
        var actorAmongLeads = false
        /// Whether a demonym counts as its place's name.
        var demonyms = true
        /// Least similarity of two stories' centroids (scored as an item against a story: names,
        /// actors, time) for the younger to merge into the older when an item joins one of them
        /// next to the other (0: never).
        var mergeThreshold: Double = StoryIndex.defaultMergeThreshold
        /// Least score the item must have against another story (as a share of `threshold`) for
        /// the two stories to be compared: the item must be a bridge between them.
        var mergeNear: Double = StoryIndex.defaultMergeNear
        /// Whether time counts from the story's mean publication time give or take its spread
        /// (`PublicationSpread`) rather than from its earliest and latest items.
        var timeFromSpread = StoryIndex.defaultTimeFromSpread
        /// How far past a big, tight story's coverage an item may be before the burst's own
        /// length counts against it (`PublicationSpread.burst`; 0: it never does), and from how
        /// many items on a story has shown that length.
        var burstSlack: Double = StoryIndex.defaultBurstSlack
        var burstSettled: Double = StoryIndex.defaultBurstSettled
        /// A word is a big story's own when at least this share of the latest items that use it
        /// (`ownSample` of them, at least `ownEvidence`) are in that story (0: never): an item
        /// using it within the story's coverage is scored at least `threshold` against it.
        var ownShare: Double = StoryIndex.defaultOwnShare
        var ownEvidence = StoryIndex.defaultOwnEvidence
        var ownSample = StoryIndex.defaultOwnSample

        public init(window: Int = 72 * 3_600, threshold: Double = StoryIndex.defaultThreshold) {
            self.init(window: window, threshold: threshold, centroidWeight: StoryIndex.defaultCentroidWeight)
        }

        init(window: Int = 72 * 3_600, threshold: Double, centroidWeight: Double) {
            self.window = window
            self.threshold = threshold
            self.centroidWeight = centroidWeight
        }
    }

    /// Chosen on the labelled dev streams and `Tests/Fixtures/stories/coverage.tsv` together, one
    /// setting for all (BENCHMARKS.md, "Stories").
    public static let defaultThreshold = 0.12
    static let defaultCentroidWeight = 1.0
    static let defaultRarityHalfLife = 7.0 * 86_400
    static let defaultRarityPower = 1.0
    static let defaultMinimumShared = 3
    static let defaultNameWeight = 0.1
    static let defaultTimeHalfLife = 0.5 * 86_400
    static let defaultActorPenalty = 0.4
    /// Centroids are smoother than items, so two stories' centroids score higher than an item
    /// against its own story: this is above `defaultThreshold` (0.12). Swept with it on all
    /// streams at once (BENCHMARKS.md, "Stories").
    static let defaultMergeThreshold = 0.2
    /// Half the threshold: the same stories merge on the dev streams as when every candidate is
    /// compared, at a fraction of the cost on a burst (each comparison reads two centroids).
    static let defaultMergeNear = 0.5
    static let defaultTimeFromSpread = true
    /// A day of slack (12 h and 24 h give the same stories on every dev stream; the larger one
    /// costs the newest items of a live, precisely timed big story less), from 16 items on (8 and
    /// 16 alike; the coverage fixture's events have 3–7 items, some over three days).
    static let defaultBurstSlack = 86_400.0
    static let defaultBurstSettled = PublicationSpread.settled
    static let defaultOwnShare = 0.8
    static let defaultOwnEvidence = 8
    /// How many of a word's latest postings tell whose word it is.
    static let defaultOwnSample = 64
    /// How often a title's words count against a summary's.
    static let titleWeight: Float = 2
    /// Candidates come from the postings of this many of an item's rarest words,
    static let probeTerms = 12
    /// reading at most this many postings in all (newest first),
    static let postingBudget = 3_000
    /// and the best-scored this many get a full cosine; the best this many stories a centroid one.
    static let fullScores = 24
    static let centroidScores = 4
    /// From this many items on, one more or less hardly moves a story's centroid: its norm (a
    /// sum over thousands of words) is then recomputed only with the periodic refresh.
    static let settledStory = 32
    /// Documents assumed beyond those held, so that words in a young, small stream do not all
    /// look rare (a background of items that contain none of them).
    static let backgroundDocuments = 20.0

    public let settings: Settings
    /// Made on first use: its stem cache is 1 MB, and a cycle of 304s never needs it.
    private lazy var stems = WordStems(language: "en")

    /// Where the topic matcher records an item's words for `add(item:title:summary:words:…)`.
    public private(set) lazy var itemWords = ItemWords()
    /// Which words the stream writes as names.
    private var nameEvidence = NameEvidence()

    fileprivate struct Entry {
        var item: Int64
        var at: Int64
        var story: Int32
        /// The title's first name, as an id of `table` (0: none).
        var lead: UInt32
        /// Its words, counts and which are names (`Packed`), sorted by id.
        var terms: [UInt32]
    }

    /// The stems held entries use, by id (and how many use each: the held document frequency).
    private var table = StemTable()

    /// An entry's words as stems with their counts.
    @inline(__always) private func forEachTerm(_ e: Entry, _ body: (UInt64, Float) -> Void) {
        for p in e.terms { body(table.stem(Packed.id(p)), Packed.count(p)) }
    }

    fileprivate struct Story {
        var id: String
        var size: Int
        var firstSeen: Timestamp
        var live: Int  // entries held
        /// Summed word frequencies (`tf`: the sum of the members' vectors, not a frequency of the
        /// sum, which would flatten a big story into a list of every word it ever used) of the entries held, from the second on (most stories stay an item
        /// alone, and a centroid of one would double its memory); until then, the one entry.
        var centroid = IdMap()
        var first: Int32 = 0
        /// The centroid's norm as last computed (`nil`: changed since), and when. Held as a
        /// `Float` with NaN for `nil` (a norm is never NaN): beside `first` it takes 4 bytes where
        /// an optional took 12 with its padding.
        var norm: Float? {
            get { normValue.isNaN ? nil : normValue }
            set { normValue = newValue ?? .nan }
        }
        var normValue: Float = .nan
        var normAt = 0
        /// How many of the entries held name each name.
        var names = KeyMap<Float>()
        /// How many of the entries held lead with each name.
        var leads = KeyMap<Float>()
        /// Publication times of its earliest and latest items.
        var firstAt: Int64 = .max
        var lastAt: Int64 = .min
        /// Where in time its held items' coverage is: what time counts from.
        var spread = PublicationSpread()
        /// Stories merged into this one: their held entries still name them (`merged` resolves).
        var aliases: [Int32] = []
    }

    /// Where a merged story's entries now belong, until the story they went into is evicted.
    private var merged: [Int32: Int32] = [:]
    /// Pairs of story ids (in order) that a correction by hand set apart: never merged again.
    private var apart: Set<[String]> = []

    /// Which corrections by hand (the store's mark) the index was built with: the poller
    /// rebuilds it from the store when the store's mark has moved.
    public var corrections: Int64 = 0

    /// Keeps two stories from merging by themselves (a split by hand set them apart); items
    /// still join whichever they are nearest.
    public func keepApart(_ a: String, _ b: String) { apart.insert(a < b ? [a, b] : [b, a]) }

    /// The story an entry belongs to now.
    @inline(__always) private func resolve(_ s: Int32) -> Int32 {
        guard !merged.isEmpty else { return s }
        var s = s
        while let next = merged[s] { s = next }
        return s
    }

    /// The entries held, by slot: a `SlotTable` (the records in one array, a 12-byte bucket each
    /// to find them) rather than a `KeyMap` of 40-byte buckets at most three quarters full.
    private var entries = SlotTable<Entry>()
    private var nextSlot: Int32 = 0
    /// The `tf` of each word an entry uses more often than a posting counts (`PostingList.maxCount`),
    /// by the entry's slot: the postings score it by its exact count. Next to always empty.
    private var bigCounts = KeyMap<[(stem: UInt64, tf: Float)]>()
    /// Items placed so far: the clock of cached centroid norms.
    private var added = 0

    /// Entries held per stem (their posting lists' live length).
    /// How many recent items used each stem, decaying: the weights' document frequencies.
    private var rarity: DecayingCounts
    private var stories = SlotTable<Story>()
    /// Stories by a 64-bit hash of their id (`idKey`), not by the id itself: a second copy of
    /// every id string (35 bytes on the heap, most stories being one item) was ~90 bytes an item.
    private var storyByKey = KeyMap<Int32>()

    /// FNV-1a over the id's bytes.
    private static func idKey(_ id: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in id.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// The story with that id, if held (a hash that collides with another story's id is told
    /// apart by the id kept in the story).
    private func story(id: String) -> Int32? {
        guard let s = storyByKey[Self.idKey(id)], stories[s]?.id == id else { return nil }
        return s
    }
    private var nextStory: Int32 = 0
    private var items = KeyMap<Bool>()
    /// Stems of the topic terms that selected the stream: in every item of it by construction.
    private var topicStems = KeyMap<Bool>()
    private var topicTerms: Set<String> = []
    /// The latest publication time held: the clock of the word frequencies, and how far back a
    /// restored item is still worth holding.
    private var horizon: Int64 = .min / 2
    /// Slots by the hour of their `at`, and the oldest hour that may hold any.
    private var byHour: [Int64: [Int32]] = [:]
    private var oldestHour: Int64?

    public init(settings: Settings = Settings()) {
        self.settings = settings
        rarity = DecayingCounts(halfLife: settings.rarityHalfLife)
    }

    /// Forgets everything: after a failed store transaction, the index may hold items that were
    /// never stored; it is rebuilt from the store instead.
    public func reset() {
        entries = SlotTable()
        nextSlot = 0
        bigCounts = KeyMap()
        table = StemTable()
        added = 0
        rarity = DecayingCounts(halfLife: settings.rarityHalfLife)
        nameEvidence = NameEvidence()
        stories = [:]
        storyByKey = KeyMap()
        merged = [:]
        apart = []
        corrections = 0
        nextStory = 0
        items = KeyMap()
        horizon = .min / 2
        byHour = [:]
        oldestHour = nil
        newestItem = 0
        ledgerPosition = 0
    }

    /// The index as it was at one moment: what the poller goes back to when the items it placed
    /// since were not stored after all (the store's apply failed), so the index holds exactly
    /// what the store committed. Every part of the state is a value with copy-on-write storage:
    /// taking a checkpoint copies nothing, and the first change after it copies each changed
    /// table once.
    public struct Checkpoint {
        fileprivate var entries: SlotTable<Entry>
        fileprivate var nextSlot: Int32
        fileprivate var bigCounts: KeyMap<[(stem: UInt64, tf: Float)]>
        fileprivate var added: Int
        fileprivate var rarity: DecayingCounts
        fileprivate var nameEvidence: NameEvidence
        fileprivate var stories: SlotTable<Story>
        fileprivate var storyByKey: KeyMap<Int32>
        fileprivate var table: StemTable
        fileprivate var merged: [Int32: Int32]
        fileprivate var apart: Set<[String]>
        fileprivate var corrections: Int64
        fileprivate var nextStory: Int32
        fileprivate var items: KeyMap<Bool>
        fileprivate var topicStems: KeyMap<Bool>
        fileprivate var topicTerms: Set<String>
        fileprivate var horizon: Int64
        fileprivate var byHour: [Int64: [Int32]]
        fileprivate var oldestHour: Int64?
        fileprivate var newestItem: Int64
        fileprivate var ledgerPosition: Int64
    }

    public func checkpoint() -> Checkpoint {
        Checkpoint(entries: entries, nextSlot: nextSlot, bigCounts: bigCounts, added: added, rarity: rarity,
                   nameEvidence: nameEvidence, stories: stories, storyByKey: storyByKey, table: table, merged: merged, apart: apart,
                   corrections: corrections, nextStory: nextStory, items: items,
                   topicStems: topicStems, topicTerms: topicTerms, horizon: horizon, byHour: byHour, oldestHour: oldestHour,
                   newestItem: newestItem, ledgerPosition: ledgerPosition)
    }

    public func rollback(to c: Checkpoint) {
        entries = c.entries
        nextSlot = c.nextSlot
        bigCounts = c.bigCounts
        added = c.added
        rarity = c.rarity
        nameEvidence = c.nameEvidence
        stories = c.stories
        storyByKey = c.storyByKey
        table = c.table
        merged = c.merged
        apart = c.apart
        corrections = c.corrections
        idfMemo.clear()  // weights computed on the state left behind
        nextStory = c.nextStory
        items = c.items
        topicStems = c.topicStems
        topicTerms = c.topicTerms
        horizon = c.horizon
        byHour = c.byHour
        oldestHour = c.oldestHour
        newestItem = c.newestItem
        ledgerPosition = c.ledgerPosition
    }

    /// How far the poller has read the store's story members (a position in the ledger's commit
    /// order): the next catch-up reads what was committed after it.
    public var ledgerPosition: Int64 = 0

    /// How far back `restore` should be fed: the window, and the items that still weigh in
    /// the word frequencies (two half-lives).
    public var memory: Int { max(settings.window, Int(2 * settings.rarityHalfLife)) }

    /// Items held (within the window).
    public var count: Int { entries.count }
    /// The highest item id held: what the store has beyond it was stored by someone else.
    public private(set) var newestItem: Int64 = 0

    public func contains(item: Int64) -> Bool { items[UInt64(bitPattern: item)] != nil }

    /// Words that selected the stream (the topic terms an item matched): they are common in it
    /// by construction, so they weigh as if in half of all items from the first item on, instead
    /// of looking rare while the stream is young ("facial recognition" in a stream selected by
    /// it must never be what two items have in common).
    public func noteTopicTerms(_ terms: [String]) {
        for term in terms where topicTerms.insert(term).inserted {
            stems.forEach(term) { stem, _ in topicStems[stem] = true }
        }
    }

    /// Finds the story for a new item (`at`: when it was published, or seen) and holds the item
    /// for the ones after it. `newStoryID` names the story it starts if it matches none.
    /// `words`: `title` and `summary` as the topic matcher read them (`itemWords`, recorded by
    /// `TopicMatcher.classify`), so that a text whose words the stemmer's cache knows is not
    /// tokenized again (`ItemWords`); the same decisions either way.
    public func add(item: Int64, title: String?, summary: String?, words: ItemWords? = nil, at: Timestamp, seen: Timestamp,
                    newStoryID: @autoclosure () -> String) -> StoryAssignment {
        let (terms, counts, names, lead, titled) = vectorAndLead(title: title, summary: summary, read: words)
        let t = at.secondsSince1970
        // The window is measured on publication times: what was published more than a window
        // before this item can match neither it nor anything placed after it in publication
        // order. Not against the newest item seen: an item older than that (a backlog read newest
        // first, a feed added late) must still find, and be found by, the items of its own days.
        evict(olderThan: t - Int64(settings.window))
        let scored = terms.isEmpty ? [] : scoreStories(terms, counts, names, lead: lead, titled: titled, at: t)
        var chosen: Int32?
        if let (story, similarity) = Self.best(scored), similarity >= settings.threshold {
            chosen = story
        }
        var assignment: StoryAssignment
        if let s = chosen {
            stories[s]!.size += 1
            let story = stories[s]!
            assignment = StoryAssignment(id: story.id, size: story.size, firstSeen: story.firstSeen, isNew: false)
        } else {
            assignment = StoryAssignment(id: newStoryID(), size: 1, firstSeen: seen, isNew: true)
        }
        hold(item: item, story: assignment, terms: terms, counts: counts, names: names, lead: lead, at: t)
        if let s = chosen, settings.mergeThreshold > 0 {
            // The item joined one story and was also near others: now that the story has grown,
            // its centroid may be as close to theirs as its items are to each other.
            let near = settings.mergeNear * settings.threshold
            let (survivor, absorbed) = mergeNeighbours(of: s, among: scored.filter { $0.0 != s && $0.1 >= near }.map(\.0))
            if !absorbed.isEmpty {
                let story = stories[survivor]!
                assignment = StoryAssignment(id: story.id, size: story.size, firstSeen: story.firstSeen, isNew: false, absorbed: absorbed)
            }
        }
        return assignment
    }

    /// Holds an item already assigned (read back from the store after a restart, or stored by
    /// another process), with its story's size and first sighting as the store knows them.
    /// Items older than the window only count in the word frequencies.
    public func restore(item: Int64, title: String?, summary: String?, at: Timestamp, story: StoryAssignment) {
        guard !contains(item: item) else { return }
        let (terms, counts, names, lead, _) = vectorAndLead(title: title, summary: summary)
        let t = at.secondsSince1970
        newestItem = max(newestItem, item)
        guard t >= max(horizon, t) - Int64(settings.window) else { return rarity.add(terms, at: t) }
        hold(item: item, story: story, terms: terms, counts: counts, names: names, lead: lead, at: t)
        evict(olderThan: horizon - Int64(settings.window))
    }

    /// Why an item would be in a story, scored as `add` scores it, without placing it: for
    /// `feedwatch stories explain`, which replays a story's items and explains each before holding it.
    public func explain(title: String?, summary: String?, at: Timestamp, story id: String) -> StoryExplanation {
        let learned = nameEvidence
        defer { nameEvidence = learned }  // explaining must not teach the index anything
        let (terms, counts, names, lead, titled) = vectorAndLead(title: title, summary: summary)
        let t = at.secondsSince1970
        evict(olderThan: t - Int64(settings.window))
        let scores = terms.isEmpty ? [] : scoreStories(terms, counts, names, lead: lead, titled: titled, at: t)
        let story = self.story(id: id)
        var result = StoryExplanation(threshold: settings.threshold)
        result.score = story.flatMap { s in scores.first { $0.0 == s }?.1 }
        if let (other, score) = scores.filter({ $0.0 != story }).max(by: { ($0.1, $1.0) < ($1.1, $0.0) }) {
            result.nearest = .init(id: stories[other]!.id, score: score)
        }
        guard let s = story, stories[s] != nil else { return result }
        // The story's words: its centroid's, or its one item's.
        var theirs = KeyMap<Bool>()
        storyVector(s).forEach { id, _ in theirs[table.stem(id)] = true }
        let spelling = spellings(title, summary)
        let n = settings.rarityHalfLife > 0 ? rarity.total(at: horizon) : Double(entries.count)
        for (term, count) in zip(terms, counts) where theirs[term] != nil {
            result.shared.append(.init(word: spelling[term] ?? "?", weight: Double(Self.tf(count) * computeIDF(term, documents: n))))
        }
        result.shared.sort { ($0.weight, $1.word) > ($1.weight, $0.word) }
        return result
    }

    /// Each stem's first spelling in the texts, lower-cased (a demonym's under its place).
    private func spellings(_ texts: String?...) -> [UInt64: String] {
        var result: [UInt64: String] = [:]
        for case let text? in texts {
            let scalars = Array(text.unicodeScalars)
            stems.forEachWord(text) { stem, _, start, end in
                guard start < end, end <= scalars.count, result[place(stem)] == nil else { return }
                var word = String.UnicodeScalarView()
                word.append(contentsOf: scalars[start..<end])
                result[place(stem)] = String(word).lowercased()
            }
        }
        return result
    }

    private func hold(item: Int64, story a: StoryAssignment, terms: [UInt64], counts: [Float], names: [UInt64], lead: UInt64?, at t: Int64) {
        let s: Int32
        if let known = story(id: a.id) {
            s = known
            stories[s]!.size = max(stories[s]!.size, a.size)
        } else {
            s = nextStory
            nextStory += 1
            storyByKey[Self.idKey(a.id)] = s
            stories[s] = Story(id: a.id, size: a.size, firstSeen: a.firstSeen, live: 0)
        }
        let slot = nextSlot
        nextSlot += 1
        stories[s]!.live += 1
        if stories[s]!.live < Self.settledStory { stories[s]!.norm = nil }
        // Held as packed ids: only names among its words count (all of them are, bar a full table).
        var packed: [UInt32] = []
        packed.reserveCapacity(terms.count)
        var leadID: UInt32 = 0
        for (term, count) in zip(terms, counts) {
            guard let id = table.retain(term) else { continue }
            table.post(id, slot: slot, count: UInt8(min(count, Float(PostingList.maxCount))))
            let name = names.contains(term)
            packed.append(Packed.make(id: id, count: count, name: name))
            if name { stories[s]!.names.modify(term, default: 0) { $0 += 1 } }
            if term == lead, name { leadID = id }
        }
        switch stories[s]!.live {
        case 1: stories[s]!.first = slot
        case 2 where stories[s]!.centroid.isEmpty:
            let e = entries[stories[s]!.first]!
            for p in e.terms { stories[s]!.centroid.add(Packed.id(p), Self.tf(Packed.count(p))) }
            fallthrough
        default:
            for p in packed { stories[s]!.centroid.add(Packed.id(p), Self.tf(Packed.count(p))) }
        }
        if leadID != 0 { stories[s]!.leads.modify(lead!, default: 0) { $0 += 1 } }
        stories[s]!.firstAt = min(stories[s]!.firstAt, t)
        stories[s]!.lastAt = max(stories[s]!.lastAt, t)
        stories[s]!.spread.add(t)
        added += 1
        entries[slot] = Entry(item: item, at: t, story: s, lead: leadID, terms: packed)
        let h = Self.hour(t)
        byHour[h, default: []].append(slot)
        oldestHour = min(oldestHour ?? h, h)
        for (term, count) in zip(terms, counts) {
            let c = UInt8(min(count, Float(PostingList.maxCount)))
            if c == PostingList.maxCount { bigCounts[UInt64(slot), default: []].append((term, Self.tf(count))) }
        }
        rarity.add(terms, at: t)
        items[UInt64(bitPattern: item)] = true
        newestItem = max(newestItem, item)
        horizon = max(horizon, t)
    }

    // MARK: Similarity

    /// The item's stems (stop words out) and their counts, title words weighted; which of them
    /// are names; the title's first name (its actor), if any; and which stems are in the title
    /// (a count cannot tell: a word said twice in the summary weighs as one in the title).
    private func vectorAndLead(title: String?, summary: String?, read: ItemWords? = nil) -> ([UInt64], [Float], [UInt64], UInt64?, [UInt64]) {
        var weights = KeyMap<Float>()
        // Each text is read once, for its words here and its names below (and not at all when
        // the topic matcher has read it already).
        var tokens: [[NameEvidence.Token]] = [[], []]
        func add(_ text: String?, _ recorded: [StemmedToken]?, _ weight: Float, _ k: Int) {
            guard let text, !text.isEmpty else { return }
            if let recorded {
                tokens[k] = recorded
            } else {
                stems.forEachWord(text) { stem, word, start, end in tokens[k].append((stem, word, start, end)) }
            }
            for (stem, word, _, _) in tokens[k] where !StopWords.contains(word) {
                weights.modify(place(stem), default: 0) { $0 += weight }
            }
        }
        add(title, read?.title(stems), Self.titleWeight, 0)
        add(summary, read?.summary(stems), 1, 1)
        var pairs: [(UInt64, Float)] = []
        pairs.reserveCapacity(weights.count)
        weights.forEach { pairs.append(($0, $1)) }
        pairs.sort { $0.0 < $1.0 }
        var names: [UInt64] = []
        var lead: UInt64?
        if settings.nameWeight > 0 || settings.actorPenalty > 0 {
            for (k, text) in [title, summary].enumerated() {
                guard let text, !text.isEmpty else { continue }
                let found = nameEvidence.names(in: text, tokens: tokens[k]).map(place)
                if text == title { lead = found.first }
                names += found
            }
            names = Array(Set(names)).sorted()
        }
        var titled: [UInt64] = []
        for (stem, word, _, _) in tokens[0] where !StopWords.contains(word) { titled.append(place(stem)) }
        titled.sort()  // in the terms' order, as the owners were looked for before
        return (pairs.map(\.0), pairs.map(\.1), names, lead, titled)
    }

    /// A demonym's place ("Chinese": China), or the stem itself.
    private func place(_ stem: UInt64) -> UInt64 { settings.demonyms ? Demonyms.place(stem) ?? stem : stem }

    /// Word weights computed during one placement (an entry's words recur across candidates).
    private var idfMemo = KeyMap<Float>(capacity: 1_024)

    private func idf(_ term: UInt64, documents n: Double) -> Float {
        if let known = idfMemo[term] { return known }
        let w = computeIDF(term, documents: n)
        idfMemo[term] = w
        return w
    }

    private func computeIDF(_ term: UInt64, documents n: Double) -> Float {
        var df = settings.rarityHalfLife > 0 ? rarity.count(term, at: horizon) : Double(table.held(term) ?? 0)
        if topicStems[term] != nil { df = max(df, (n + Self.backgroundDocuments) / 2) }
        let idf = log((n + Self.backgroundDocuments + 1) / (df + 1))
        switch settings.rarityPower {
        case 1: return Float(idf)
        case 2: return Float(idf * idf)
        default: return Float(pow(idf, settings.rarityPower))
        }
    }

    /// Sublinear term frequency: a word said three times is not three times the evidence.
    @inline(__always) private static func tf(_ count: Float) -> Float { 1 + log(count) }

    /// `tf` of each count a posting holds, computed once (a posting read looks it up).
    private static let countTF: [Float] = (0...Int(PostingList.maxCount)).map { tf(Float($0)) }

    /// The best-scored story (ties to the older), and its score.
    private static func best(_ scored: [(Int32, Double)]) -> (Int32, Double)? {
        var best: (story: Int32, similarity: Double)?
        for (story, score) in scored {
            if score > best?.similarity ?? 0 || (score == best?.similarity && story < best!.story) { best = (story, score) }
        }
        return best
    }

    // MARK: Merging stories

    /// Merges into `s` (or `s` into them: the story published first survives, so a story's id
    /// stays that of its first coverage) each candidate whose centroid is as close to `s`'s as
    /// `mergeThreshold`. Returns the surviving story and the ids of the stories it absorbed.
    private func mergeNeighbours(of s: Int32, among candidates: [Int32]) -> (Int32, [String]) {
        var survivor = s
        var absorbed: [String] = []
        let n = settings.rarityHalfLife > 0 ? rarity.total(at: horizon) : Double(entries.count)
        for c in candidates where stories[c] != nil && c != survivor {
            let ids = [stories[c]!.id, stories[survivor]!.id].sorted()
            guard !apart.contains(ids) else { continue }
            guard storySimilarity(survivor, c, documents: n) >= settings.mergeThreshold else { continue }
            let (into, from) = (stories[c]!.firstAt, c) < (stories[survivor]!.firstAt, survivor) ? (c, survivor) : (survivor, c)
            absorbed.append(stories[from]!.id)
            merge(from, into: into)
            survivor = into
        }
        // The survivor's own id is not among what it absorbed (it may have absorbed the story
        // the item first joined).
        let id = stories[survivor]!.id
        return (survivor, absorbed.filter { $0 != id })
    }

    /// A story's summed word frequencies: its centroid, or its one item's.
    private func storyVector(_ s: Int32) -> IdMap {
        let story = stories[s]!
        if !story.centroid.isEmpty { return story.centroid }
        var v = IdMap()
        if let e = entries[story.first] { for p in e.terms { v.add(Packed.id(p), Self.tf(Packed.count(p))) } }
        return v
    }

    /// Two stories scored as an item against a story: their centroids' cosine, their names'
    /// (weighted as in `scoreStories`), the lead actors (neither story's actors among the other's
    /// names: different actors), and the time between their spans.
    private func storySimilarity(_ a: Int32, _ b: Int32, documents n: Double) -> Double {
        let (va, vb) = (storyVector(a), storyVector(b))
        func cosine(_ x: IdMap, _ y: IdMap) -> Double {
            var dot: Float = 0, nx: Float = 0, ny: Float = 0
            x.forEach { id, f in
                let w = idf(table.stem(id), documents: n)
                nx += f * f * w * w
                if let g = y[id] { dot += f * g * w * w }
            }
            y.forEach { id, g in
                let w = idf(table.stem(id), documents: n)
                ny += g * g * w * w
            }
            return nx > 0 && ny > 0 ? Double(dot / (nx.squareRoot() * ny.squareRoot())) : 0
        }
        func cosine(_ x: KeyMap<Float>, _ y: KeyMap<Float>) -> Double {
            var dot: Float = 0, nx: Float = 0, ny: Float = 0
            x.forEach { term, f in
                let w = idf(term, documents: n)
                nx += f * f * w * w
                if let g = y[term] { dot += f * g * w * w }
            }
            y.forEach { term, g in
                let w = idf(term, documents: n)
                ny += g * g * w * w
            }
            return nx > 0 && ny > 0 ? Double(dot / (nx.squareRoot() * ny.squareRoot())) : 0
        }
        idfMemo.clear()
        var score = cosine(va, vb)
        let (sa, sb) = (stories[a]!, stories[b]!)
        let w = settings.nameWeight
        if w > 0, !sa.names.isEmpty, !sb.names.isEmpty {
            score = (1 - w) * score + w * cosine(sa.names, sb.names)
        }
        if settings.actorPenalty > 0, !sa.leads.isEmpty, !sb.leads.isEmpty {
            var common = false
            sa.leads.forEach { lead, _ in if sb.names[lead] != nil { common = true } }
            sb.leads.forEach { lead, _ in if sa.names[lead] != nil { common = true } }
            if !common { score *= 1 - settings.actorPenalty }
        }
        if settings.timeHalfLife > 0 {
            let apart = Double(max(0, sa.firstAt - sb.lastAt, sb.firstAt - sa.lastAt))
            let gap = settings.timeFromSpread ? sa.spread.gap(to: sb.spread) : apart
            if gap > 0 { score *= exp2(-gap / settings.timeHalfLife) }
            // The burst is over past its last item (its newest ones sit beyond mean and deviation).
            score *= sa.spread.burst(apart, sb.spread, slack: settings.burstSlack, settled: settings.burstSettled)
        }
        return score
    }

    /// Moves story `b` into `a`: its counts, names and span; its held entries resolve to `a`.
    private func merge(_ b: Int32, into a: Int32) {
        let from = stories.removeValue(forKey: b)!
        if storyByKey[Self.idKey(from.id)] == b { storyByKey[Self.idKey(from.id)] = nil }
        if stories[a]!.centroid.isEmpty { stories[a]!.centroid = storyVector(a) }
        if from.centroid.isEmpty {
            if let e = entries[from.first] {
                for p in e.terms { stories[a]!.centroid.add(Packed.id(p), Self.tf(Packed.count(p))) }
            }
        } else {
            from.centroid.forEach { id, f in stories[a]!.centroid.add(id, f) }
        }
        from.names.forEach { name, c in stories[a]!.names.modify(name, default: 0) { $0 += c } }
        from.leads.forEach { lead, c in stories[a]!.leads.modify(lead, default: 0) { $0 += c } }
        stories[a]!.size += from.size
        stories[a]!.live += from.live
        stories[a]!.firstSeen = min(stories[a]!.firstSeen, from.firstSeen)
        stories[a]!.firstAt = min(stories[a]!.firstAt, from.firstAt)
        stories[a]!.lastAt = max(stories[a]!.lastAt, from.lastAt)
        stories[a]!.spread.merge(from.spread)
        stories[a]!.norm = nil
        stories[a]!.aliases += [b] + from.aliases
        merged[b] = a
        for alias in from.aliases { merged[alias] = a }
    }

    /// The candidate stories for an item and their scores: those of the items that share its
    /// rarest words and the minimum of words, the best few by their best item.
    private func scoreStories(_ terms: [UInt64], _ counts: [Float], _ names: [UInt64], lead: UInt64?, titled: [UInt64], at t: Int64) -> [(Int32, Double)] {
        guard !entries.isEmpty else { return [] }
        idfMemo.clear()
        let n = settings.rarityHalfLife > 0 ? rarity.total(at: horizon) : Double(entries.count)
        var weights = KeyMap<Float>(capacity: terms.count)
        var norm: Float = 0
        for (term, count) in zip(terms, counts) {
            let w = Self.tf(count) * idf(term, documents: n)
            weights[term] = w
            norm += w * w
        }
        guard norm > 0 else { return [] }
        norm = norm.squareRoot()
        // Candidates: items sharing the item's rarest words, newest first, within a budget of
        // postings read — a word in thousands of items cannot decide a match by itself — each
        // scored by those shared words alone; only the best few get a full cosine.
        let probes = terms.compactMap { term in table.held(term).map { (term, $0) } }.filter { topicStems[$0.0] == nil }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .prefix(Self.probeTerms)
        var partial = KeyMap<Float>(capacity: 256)
        var budget = Self.postingBudget
        let window = Int64(settings.window)
        let common = max(8, Int(Double(entries.count) * settings.commonShare))
        for (term, held) in probes where budget > 0 {
            // A word in a tenth of the window cannot pick out an event's items (probes are the
            // rarest first, so the rest are as common).
            guard Int(held) <= common else { break }
            guard let list = table.postings(term) else { continue }
            let w = weights[term]! * idf(term, documents: n)
            list.forEachNewestFirst { slot, count in
                budget -= 1
                if budget < 0 { return false }
                guard entries[slot] != nil else { return true }  // evicted, not yet compacted
                let tf = count < PostingList.maxCount ? Self.countTF[Int(count)] : bigCounts[UInt64(slot)]!.first { $0.stem == term }!.tf
                partial.modify(UInt64(slot), default: 0) { $0 += w * tf }
                return true
            }
        }
        var nearest: [Int32: Double] = [:]  // story: its best item's similarity
        let mine = terms.count { topicStems[$0] == nil }
        // The best `fullScores` by partial score, kept sorted as they come (most do not qualify).
        var ranked: [(slot: UInt64, score: Float)] = []
        ranked.reserveCapacity(Self.fullScores + 1)
        partial.forEach { slot, score in
            guard ranked.count < Self.fullScores || (score, slot) > (ranked.last!.score, ranked.last!.slot) else { return }
            let at = ranked.firstIndex { (score, slot) > ($0.score, $0.slot) } ?? ranked.count
            ranked.insert((slot, score), at: at)
            if ranked.count > Self.fullScores { ranked.removeLast() }
        }
        for (slot, _) in ranked {
            guard let e = entries[Int32(truncatingIfNeeded: slot)], abs(e.at - t) <= window else { continue }
            let (similarity, shared, theirs) = similarity(weights, norm, e, documents: n)
            // One word in common, however rare, is a coincidence more often than an event: in a
            // large stream every rare word is in a few unrelated items. Two items with a summary
            // must share `minimumShared` words; two bare headlines, a quarter of the shorter one's.
            guard shared >= min(settings.minimumShared, max(1, min(mine, theirs) / 4)) else { continue }
            let cosine = Double(similarity)
            let story = resolve(e.story)
            if cosine > nearest[story] ?? 0 { nearest[story] = cosine }
        }
        var scored: [(Int32, Double)] = []
        let a = settings.centroidWeight
        let owners = settings.ownShare > 0 ? owners(of: titled) : []
        var considered = Array(nearest.sorted(by: { ($0.value, $0.key) > ($1.value, $1.key) }).prefix(Self.centroidScores))
        for story in owners where !considered.contains(where: { $0.key == story }) { considered.append((story, nearest[story] ?? 0)) }
        for (story, item) in considered {
            var score = item
            if a > 0, stories[story]!.live > 1 { score = (1 - a) * item + a * Double(centroidSimilarity(story, weights, norm, documents: n)) }
            let b = settings.nameWeight
            if b > 0, !names.isEmpty, !stories[story]!.names.isEmpty {
                score = (1 - b) * score + b * nameSimilarity(story, names, weights, documents: n)
            }
            let actors = settings.actorAmongLeads ? stories[story]!.leads : stories[story]!.names
            if settings.actorPenalty > 0, let lead, !actors.isEmpty, actors[lead] == nil {
                score *= 1 - settings.actorPenalty
            }
            var within = true
            if settings.timeHalfLife > 0 {
                let st = stories[story]!
                let apart = Double(max(0, st.firstAt - t, t - st.lastAt))
                let gap = settings.timeFromSpread ? st.spread.gap(to: t) : apart
                within = gap == 0
                if gap > 0 { score *= exp2(-gap / settings.timeHalfLife) }
                // The burst is over past its last item: a story still growing keeps its newest.
                score *= st.spread.burst(apart, slack: settings.burstSlack, settled: settings.burstSettled)
            }
            if within, owners.contains(story) { score = max(score, settings.threshold) }
            scored.append((story, score))
        }
        return scored
    }

    /// The big stories (more than `burstSettled` items held) that own one of the item's title
    /// words: at least `ownShare` of the latest `ownSample` items that use it are theirs. A word
    /// only in the summary is a mention, not what the item is about (on the synthetic stream, an
    /// event's rare word said once in an unrelated item's summary pulled it in). The owner is found
    /// by a majority vote (Boyer–Moore), then counted: if a story holds a share f of the sample,
    /// the vote's lead is at least (2f − 1) of it, so a word whose lead falls short — most words —
    /// costs one pass, cut short as soon as the others have outvoted any owner or more than
    /// (1 − f) of the sample are small stories' (in a stream of one-offs, after a dozen postings).
    private func owners(of titled: [UInt64]) -> [Int32] {
        var result: [Int32] = []
        let share = settings.ownShare
        var last: UInt64?
        for term in titled where term != last && topicStems[term] == nil {
            last = term
            guard let held = table.held(term), Int(held) >= settings.ownEvidence, let list = table.postings(term) else { continue }
            // The others' votes: each cancels one of the owner's, and there are at most (1 − f)·n;
            // a small story's item is one of them for certain (the owner is big).
            let sample = min(settings.ownSample, Int(held))
            let others = (1 - share) * Double(sample)
            var candidate: Int32 = -1, lead = 0, read = 0, small = 0
            list.forEachNewestFirst { slot, _ in
                guard let e = entries[slot] else { return true }
                read += 1
                let s = resolve(e.story)
                if Double(stories[s]!.live) <= settings.burstSettled { small += 1 }
                if lead == 0 { (candidate, lead) = (s, 1) } else { lead += s == candidate ? 1 : -1 }
                return read < settings.ownSample && Double(read - lead) <= 2 * others && Double(small) <= others
            }
            guard read >= settings.ownEvidence, Double(read - lead) <= 2 * others, Double(small) <= others,
                  Double(lead) >= (2 * share - 1) * Double(read),
                  let story = stories[candidate], Double(story.live) > settings.burstSettled, !result.contains(candidate) else { continue }
            var votes = 0
            read = 0
            list.forEachNewestFirst { slot, _ in
                guard let e = entries[slot] else { return true }
                read += 1
                if resolve(e.story) == candidate { votes += 1 }
                return read < settings.ownSample
            }
            if Double(votes) >= share * Double(read) { result.append(candidate) }
        }
        return result
    }

    /// The cosine with a story's centroid. The centroid's norm is kept between calls: recomputed
    /// when a small story changed, and for every story when the word weights may have moved
    /// (every 1,000 items), since a story of hundreds of items has thousands of words.
    private func centroidSimilarity(_ s: Int32, _ weights: KeyMap<Float>, _ norm: Float, documents n: Double) -> Float {
        var story = stories[s]!
        if story.norm == nil || added - story.normAt >= 1_000 {
            var sum: Float = 0
            story.centroid.forEach { id, tf in
                let w = tf * idf(table.stem(id), documents: n)
                sum += w * w
            }
            story.norm = sum.squareRoot()
            story.normAt = added
            stories[s]!.norm = story.norm
            stories[s]!.normAt = added
        }
        guard let other = story.norm, other > 0 else { return 0 }
        var dot: Float = 0
        weights.forEach { term, w in
            if let id = table.id(of: term), let tf = story.centroid[id] { dot += w * tf * idf(term, documents: n) }
        }
        return dot / (norm * other)
    }

    /// The cosine of the item's names (weighted as its words are) with the story's, each weighted
    /// by how many of its items name it and how rare it is.
    private func nameSimilarity(_ s: Int32, _ names: [UInt64], _ weights: KeyMap<Float>, documents n: Double) -> Double {
        var dot: Float = 0, mine: Float = 0, theirs: Float = 0
        for name in names {
            let w = weights[name] ?? 0
            mine += w * w
            if let c = stories[s]!.names[name] { dot += w * c * idf(name, documents: n) }
        }
        stories[s]!.names.forEach { name, c in
            let w = c * idf(name, documents: n)
            theirs += w * w
        }
        guard mine > 0, theirs > 0 else { return 0 }
        return Double(dot / (mine.squareRoot() * theirs.squareRoot()))
    }

    /// The cosine between a weighted vector (with its norm) and counts weighted now.
    /// The cosine, how many words other than the topics' the two share, and how many the other has.
    private func similarity(_ weights: KeyMap<Float>, _ norm: Float, _ e: Entry, documents n: Double) -> (Float, Int, Int) {
        var dot: Float = 0
        var other: Float = 0
        var shared = 0
        var own = 0
        forEachTerm(e) { term, count in
            let w = Self.tf(count) * idf(term, documents: n)
            other += w * w
            let topical = topicStems[term] != nil
            if !topical { own += 1 }
            if let mine = weights[term] {
                dot += mine * w
                if !topical { shared += 1 }
            }
        }
        return (other > 0 ? dot / (norm * other.squareRoot()) : 0, shared, own)
    }

    // MARK: Window

    /// Drops items older than `cutoff`, a whole hour of arrivals at a time (an item's slot is
    /// filed under the hour of its `at`), so that a call with nothing to drop costs nothing.
    private func evict(olderThan cutoff: Int64) {
        let hour = Self.hour(cutoff)
        guard let first = oldestHour, first < hour else { return }
        var touched = Set<UInt64>()
        for h in first..<hour {
            for slot in byHour.removeValue(forKey: h) ?? [] {
                guard let e = entries.removeValue(forKey: slot) else { continue }
                bigCounts[UInt64(slot)] = nil
                items[UInt64(bitPattern: e.item)] = nil
                let s = resolve(e.story)
                stories[s]!.live -= 1
                stories[s]!.spread.remove(e.at)
                if e.lead != 0 {
                    let lead = table.stem(e.lead)
                    let left = stories[s]!.leads[lead]! - 1
                    stories[s]!.leads[lead] = left < 0.5 ? nil : left
                }
                if stories[s]!.live < Self.settledStory { stories[s]!.norm = nil }
                let centroid = !stories[s]!.centroid.isEmpty
                for p in e.terms {
                    let term = table.stem(Packed.id(p))
                    touched.insert(term)
                    if Packed.isName(p) {
                        let left = stories[s]!.names[term]! - 1
                        stories[s]!.names[term] = left < 0.5 ? nil : left
                    }
                    if centroid { stories[s]!.centroid.add(Packed.id(p), -Self.tf(Packed.count(p))) }
                    table.release(Packed.id(p))
                }
                if stories[s]!.live == 0 {
                    if storyByKey[Self.idKey(stories[s]!.id)] == s { storyByKey[Self.idKey(stories[s]!.id)] = nil }
                    for alias in stories[s]!.aliases { merged[alias] = nil }
                    stories[s] = nil
                }
            }
        }
        oldestHour = byHour.isEmpty ? nil : hour
        // A posting list is compacted once a third of it is dead, not at every eviction: the lists
        // of common words are long, and an hour's eviction touches most of them. (Half dead was
        // ~100 bytes an item held more, for the same placements.)
        for term in touched {
            // A stem no entry uses any more went with its postings (`StemTable.release`).
            guard let id = table.id(of: term) else { continue }
            table.compact(id) { entries[$0] == nil }
        }
    }

    private static func hour(_ t: Int64) -> Int64 { t >= 0 ? t / 3_600 : (t - 3_599) / 3_600 }
}

/// Counts that halve every `halfLife` seconds: how often each stem was used lately, without
/// keeping the items. Read and written at the stream's own clock.
struct DecayingCounts {
    let halfLife: Double
    /// A count as of a time (a struct, not a tuple, so that `KeyMap` holds it in 16 bytes a bucket).
    private struct Count: Vacant {
        var value: Double
        var at: Int64
        static var vacant: Count { Count(value: 0, at: 0) }
    }

    private var counts = KeyMap<Count>()
    private var items = Count(value: 0, at: 0)
    private var added = 0

    init(halfLife: Double) { self.halfLife = halfLife }

    private func decayed(_ v: Count, to t: Int64) -> Double {
        t <= v.at ? v.value : v.value * exp2(-Double(t - v.at) / halfLife)
    }

    mutating func add(_ terms: [UInt64], at t: Int64) {
        func plus(_ v: Count?) -> Count {
            guard let v else { return Count(value: 1, at: t) }
            // An item older than the count weighs what it would have decayed to by then.
            return t >= v.at ? Count(value: decayed(v, to: t) + 1, at: t) : Count(value: v.value + exp2(-Double(v.at - t) / halfLife), at: v.at)
        }
        for term in terms { counts[term] = plus(counts[term]) }
        items = plus(added == 0 ? nil : items)
        added += 1
        if added % 50_000 == 0 { forgetRare(at: t) }
    }

    func count(_ term: UInt64, at t: Int64) -> Double { counts[term].map { decayed($0, to: t) } ?? 0 }
    func total(at t: Int64) -> Double { decayed(items, to: t) }

    /// Stems that decayed below a twentieth of a use go: the table holds the recent vocabulary.
    private mutating func forgetRare(at t: Int64) {
        counts = counts.filter { decayed($1, to: t) >= 0.05 }
    }
}

/// Why an item is (or would be) in a story.
public struct StoryExplanation: Sendable, Equatable {
    public struct Word: Sendable, Equatable {
        public var word: String
        /// Its weight in the item: frequency times rarity in the recent stream.
        public var weight: Double
    }

    public struct Alternative: Sendable, Equatable {
        public var id: String
        public var score: Double
    }

    /// The item's score against the story; `nil` when the story was not a candidate (it did
    /// not exist yet, or shares none of the item's rarer words within the window).
    public var score: Double?
    /// What a score must reach to join.
    public var threshold: Double
    /// The words the item shares with the story's items before it, heaviest first.
    public var shared: [Word] = []
    /// The best-scoring other story, if any: which story it nearly joined.
    public var nearest: Alternative?

    public init(score: Double? = nil, threshold: Double, shared: [Word] = [], nearest: Alternative? = nil) {
        self.score = score
        self.threshold = threshold
        self.shared = shared
        self.nearest = nearest
    }
}
