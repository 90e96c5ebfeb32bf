import Config
import FeedwatchCore
import Stories
import Store
import TopicQuery

/// The item decider: fetched items, with what the store already holds of them
/// (`ItemLedger.triage`), in; the intents to apply out — which items are new, which of those are
/// copies, which matched a topic (their alert) and which story each joins. Made before any
/// write, so the store only applies; the story index it places items in is checkpointed by the
/// cycle and rolled back if the apply fails.
struct ItemDecision {
    let matcher: TopicMatcher
    let stories: StoryIndex
    let firstFetchWindow: FirstFetchWindow

    /// What the intents decided so far in a batch (not yet applied) mean for the next document:
    /// an entry seen twice is one item, and an article stored by an earlier document of the batch
    /// makes a later one a copy.
    struct Pending {
        var entries: [ItemKey: String] = [:]  // content hash
        var articles: Set<Int64> = []
        /// Each story's earliest-published item among those placed in this batch (the store
        /// does not have them yet).
        var firsts: [String: Alert.Story.First] = [:]
        /// The articles and story firsts of the batch decided before this one, while its apply
        /// may still be running (`PollCycle`'s pipeline): this batch's triage may not see them
        /// yet. Only the one batch before: the one before that had committed when this began.
        private var earlierArticles: Set<Int64> = []
        private var earlierFirsts: [String: Alert.Story.First] = [:]

        init() {}

        /// What the batch after `previous` starts from, decided while `previous` is applied.
        init(after previous: Pending) {
            earlierArticles = previous.articles
            earlierFirsts = previous.firsts
        }

        mutating func isCopy(_ c: ItemCandidate) -> Bool {
            let known = [c.articleKey, c.textKey].contains { $0.map { articles.contains($0) || earlierArticles.contains($0) } ?? false }
            for k in [c.articleKey, c.textKey] { if let k { articles.insert(k) } }
            return known
        }

        /// A story's earliest-published item among those placed in this batch and the one before.
        func first(of story: String) -> Alert.Story.First? {
            [firsts[story], earlierFirsts[story]].compactMap { $0 }.min { $0.published < $1.published }
        }
    }

    /// What becomes of one item, with what the store holds of it (`known`). Items are decided
    /// one at a time in the order they are to be grouped — publication order across every
    /// document of a batch — since each may join a story the one before it started.
    /// `muted`: stories muted by hand, whose new items are stored and grouped and alert no
    /// sink. `first`: a story's earliest-published item, for its alert's note.
    func decide(feed: FeedRecord, feedTitle: String?, candidate: ItemCandidate, known: Triage, now: Timestamp,
                muted: Set<String>, first: (StoryAssignment, Timestamp, String?) -> Alert.Story.First?,
                pending: inout Pending) -> (intent: ItemIntent, isNew: Bool, alerted: Bool) {
        let key = ItemKey(feedID: feed.id, entryKey: candidate.entryKey)
        if let hash = pending.entries[key] {
            // The same entry twice in one document: one item, edited if its text differs.
            let same = hash == candidate.contentHash
            pending.entries[key] = candidate.contentHash
            return (ItemIntent(candidate.slimmed(keepText: !same), same ? .touch : .update), false, false)
        }
        switch known {
        case .unchanged: return (ItemIntent(candidate.slimmed(keepText: false), .touch), false, false)
        case .updated: return (ItemIntent(candidate.slimmed(keepText: true), .update), false, false)
        case .new, .copy: break
        }
        pending.entries[key] = candidate.contentHash
        // Checked (and noted) for every new item: an item is a copy of one of this batch's own
        // new items too.
        if pending.isCopy(candidate) || known == .copy {
            return (ItemIntent(candidate.slimmed(keepText: true), .insertCopy), true, false)  // the original alerted, if it matched
        }
        let (story, alert) = place(candidate.item, key: key, feed: feed, feedTitle: feedTitle, now: now, muted: muted, first: first,
                                   pending: &pending)
        return (ItemIntent(candidate.slimmed(keepText: true), .insert(story: story, alert: alert)), true, alert != nil)
    }

    /// An item new to the store: its topics, and if it has any its story and alert. A feed's
    /// first fetch alerts (and groups) only what is recent enough to be news, not its archive.
    private func place(_ item: FeedItem, key: ItemKey, feed: FeedRecord, feedTitle: String?, now: Timestamp, muted: Set<String>,
                       first: (StoryAssignment, Timestamp, String?) -> Alert.Story.First?, pending: inout Pending) -> (StoryLink?, Alert?) {
        if !feed.fetchedOnce, case .seconds(let window) = firstFetchWindow {
            guard let published = item.published, now.secondsSince1970 - published.secondsSince1970 <= Int64(window) else { return (nil, nil) }
        }
        // The matcher records the title's and summary's words for the story index as it reads them.
        let words = stories.itemWords
        let matches = matcher.classify(item, feedName: feedTitle, feedURL: feed.url, recording: words)
        guard !matches.isEmpty else { return (nil, nil) }
        // Stories group what the topics selected: the stream whose word frequencies say what is rare.
        let id = AlertID.item(feedURL: feed.url, item: item)
        let at = min(item.published ?? now, now)
        stories.noteTopicTerms(matches.flatMap { $0.matches.map(\.term) })
        let story = stories.add(item: key.hashValue64, title: item.title, summary: item.summary, words: words, at: at, seen: now,
                                newStoryID: AlertID.story(alertID: id))
        let link = StoryLink(id: story.id, at: at, title: item.title, topics: matches.map(\.topic), isNew: story.isNew,
                             absorbed: story.absorbed)
        // The earliest-published item: stored, placed earlier in this batch (in this story or one
        // it absorbed), or this one.
        let candidates = [first(story, at, feedTitle)] + ([story.id] + story.absorbed).map { pending.first(of: $0) }
            + [Alert.Story.First(outlet: feedTitle, published: at)]
        let earliest = candidates.compactMap { $0 }.min { $0.published < $1.published }!
        pending.firsts[story.id] = earliest
        let note = story.size > 1 ? earliest : nil
        // A muted story's items are stored and grouped, and alert no sink.
        guard !muted.contains(story.id), muted.isDisjoint(with: story.absorbed) else { return (link, nil) }
        let alert = Alert(id: id, emittedAt: now, matches: AlertID.matches(matches), feed: Alert.Feed(url: feed.url, title: feedTitle),
                          item: Alert.Item(id: item.id, title: item.title, link: item.link.flatMap(URLText.followableLink),
                                           published: item.published, summary: item.summary, authors: item.authors),
                          story: Alert.Story(id: story.id, size: story.size, firstSeen: story.firstSeen, first: note))
        return (link, alert)
    }
}
