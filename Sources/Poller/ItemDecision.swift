import Config
import FeedwatchCore
import Stories
import Store
import TopicQuery

/// The item decider: a fetched document's items, with what the store already holds of them
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

        mutating func isCopy(_ c: ItemCandidate) -> Bool {
            let known = [c.articleKey, c.textKey].contains { $0.map(articles.contains) ?? false }
            for k in [c.articleKey, c.textKey] { if let k { articles.insert(k) } }
            return known
        }
    }

    struct Result {
        var intents: DocumentIntents
        var newItems = 0
        var alerts = 0
    }

    /// `candidates` in the order they are to be grouped (publication order), `triage` one answer
    /// each.
    /// `muted`: stories muted by hand, whose new items are stored and grouped and alert no
    /// sink. `first`: a story's earliest-published item, for its alert's note.
    func decide(feed: FeedRecord, feedTitle: String?, candidates: [ItemCandidate], triage: [Triage], now: Timestamp,
                muted: Set<String>, first: (StoryAssignment, Timestamp, String?) -> Alert.Story.First?, pending: inout Pending) -> Result {
        var result = Result(intents: DocumentIntents(feedID: feed.id, at: now, items: []))
        result.intents.items.reserveCapacity(candidates.count)
        for (candidate, known) in zip(candidates, triage) {
            let key = ItemKey(feedID: feed.id, entryKey: candidate.entryKey)
            if let hash = pending.entries[key] {
                // The same entry twice in one document: one item, edited if its text differs.
                let same = hash == candidate.contentHash
                result.intents.items.append(ItemIntent(candidate.slimmed(keepText: !same), same ? .touch : .update))
                pending.entries[key] = candidate.contentHash
                continue
            }
            switch known {
            case .unchanged:
                result.intents.items.append(ItemIntent(candidate.slimmed(keepText: false), .touch))
                continue
            case .updated:
                result.intents.items.append(ItemIntent(candidate.slimmed(keepText: true), .update))
                continue
            case .new, .copy:
                break
            }
            pending.entries[key] = candidate.contentHash
            result.newItems += 1
            // Checked (and noted) for every new item: an item is a copy of one of this batch's
            // own new items too.
            if pending.isCopy(candidate) || known == .copy {
                result.intents.items.append(ItemIntent(candidate.slimmed(keepText: true), .insertCopy))  // the original alerted, if it matched
                continue
            }
            let (story, alert) = place(candidate.item, key: key, feed: feed, feedTitle: feedTitle, now: now, muted: muted, first: first,
                                       pending: &pending)
            if alert != nil { result.alerts += 1 }
            result.intents.items.append(ItemIntent(candidate.slimmed(keepText: true), .insert(story: story, alert: alert)))
        }
        return result
    }

    /// An item new to the store: its topics, and if it has any its story and alert. A feed's
    /// first fetch alerts (and groups) only what is recent enough to be news, not its archive.
    private func place(_ item: FeedItem, key: ItemKey, feed: FeedRecord, feedTitle: String?, now: Timestamp, muted: Set<String>,
                       first: (StoryAssignment, Timestamp, String?) -> Alert.Story.First?, pending: inout Pending) -> (StoryLink?, Alert?) {
        if !feed.fetchedOnce, case .seconds(let window) = firstFetchWindow {
            guard let published = item.published, now.secondsSince1970 - published.secondsSince1970 <= Int64(window) else { return (nil, nil) }
        }
        let matches = matcher.classify(item, feedName: feedTitle, feedURL: feed.url)
        guard !matches.isEmpty else { return (nil, nil) }
        // Stories group what the topics selected: the stream whose word frequencies say what is rare.
        let id = AlertID.item(feedURL: feed.url, item: item)
        let at = min(item.published ?? now, now)
        stories.noteTopicTerms(matches.flatMap { $0.matches.map(\.term) })
        let story = stories.add(item: key.hashValue64, title: item.title, summary: item.summary, at: at, seen: now,
                                newStoryID: AlertID.story(alertID: id))
        let link = StoryLink(id: story.id, at: at, title: item.title, topics: matches.map(\.topic), isNew: story.isNew,
                             absorbed: story.absorbed)
        // The earliest-published item: stored, placed earlier in this batch (in this story or one
        // it absorbed), or this one.
        let candidates = [first(story, at, feedTitle)] + ([story.id] + story.absorbed).map { pending.firsts[$0] }
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
