public import FeedwatchCore
public import Store

/// Corrections by hand in memory, with the engines' rules: each takes a position (so decisions
/// made before it are refused, as a shared store refuses them), merges keep the absorbed ids as
/// aliases, a muted part mutes the whole, a split's two stories are kept apart.
extension MemoryStore {
    public func storyCorrections(at now: Timestamp) throws(StoreError) -> StoryCorrections {
        StoryCorrections(mark: state.regroupMark, muted: Set(state.mutes.filter { $0.value.map { $0 > now } ?? true }.keys),
                         apart: state.apart.map { ($0[0], $0[1]) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) })
    }

    public func mergeStories(_ ids: [String], now: Timestamp) throws(StoreError) -> String {
        try write { (s: inout State) throws(StoreError) -> String in
            var current: [String] = []
            for id in ids {
                guard let c = Self.currentStory(id, in: s) else { throw Self.unknownStory(id) }
                if !current.contains(c) { current.append(c) }
            }
            guard current.count >= 2 else { throw StoreError(.conflict, "\(ids.joined(separator: ", ")): one story already") }
            func firstPlaced(_ id: String) -> Timestamp? { s.items.filter { $0.storyID == id }.compactMap(\.storyAt).min() }
            let into = current.min { (firstPlaced($0) ?? .init(secondsSince1970: .max), $0) < (firstPlaced($1) ?? .init(secondsSince1970: .max), $1) }!
            for from in current where from != into {
                Self.carryCorrections(from: from, into: into, now: now, in: &s)
                guard let gone = s.stories.removeValue(forKey: from), var story = s.stories[into] else { continue }
                for i in s.items.indices where s.items[i].storyID == from { s.items[i].storyID = into }
                for t in gone.topics where !story.topics.contains(t) { story.topics.append(t) }
                story.firstSeen = min(story.firstSeen, gone.firstSeen)
                story.lastSeen = max(story.lastSeen, gone.lastSeen)
                s.stories[into] = story
                for sink in s.sinkStories.keys {
                    guard let size = s.sinkStories[sink]?.removeValue(forKey: from) else { continue }
                    s.sinkStories[sink]![into] = max(s.sinkStories[sink]![into] ?? 0, size)
                }
            }
            Self.refreshFace(of: into, in: &s)
            Self.note(regroups: true, in: &s)
            return into
        }
    }

    public func splitItem(_ ref: String, now: Timestamp) throws(StoreError) -> (new: String, old: String)? {
        try write { (s: inout State) throws(StoreError) -> (new: String, old: String)? in
            let named = s.items.indices.filter { s.items[$0].storyID != nil }.filter { i in
                s.items[i].link == ref || s.items[i].entryKey == "id:" + ref
                    || (s.alertItems[ref] == s.items[i].id && s.alerts.contains { $0.id == ref })
            }
            guard let i = named.first else {
                throw StoreError(.notFound, "no grouped item \(ref) (give its alert id, link or id; feedwatch stories --json lists them)")
            }
            if named.count > 1 { throw StoreError(.conflict, "\(ref) names \(named.count) items; give its alert id (fw_…)") }
            let old = s.items[i].storyID!
            guard s.items.contains(where: { $0.storyID == old && $0.id != s.items[i].id }), let from = s.stories[old] else { return nil }
            let new = "st_split\(s.nextPosition)_\(s.items[i].id)"
            s.stories[new] = Story(title: s.items[i].title, firstSeen: s.items[i].firstSeen, lastSeen: s.items[i].lastSeen, size: 1, topics: from.topics)
            s.items[i].storyID = new
            s.apart.insert([old, new])
            Self.refreshFace(of: old, in: &s)
            Self.note(regroups: true, in: &s)
            return (new, old)
        }
    }

    public func muteStory(_ id: String, until: Timestamp?, now: Timestamp) throws(StoreError) -> String {
        try write { (s: inout State) throws(StoreError) -> String in
            guard let story = Self.currentStory(id, in: s) else { throw Self.unknownStory(id) }
            s.mutes[story] = .some(until)
            Self.note(regroups: false, in: &s)
            return story
        }
    }

    public func unmuteStory(_ id: String, now: Timestamp) throws(StoreError) -> String? {
        try write { (s: inout State) throws(StoreError) -> String? in
            guard let story = Self.currentStory(id, in: s) else { throw Self.unknownStory(id) }
            guard s.mutes.removeValue(forKey: story) != nil else { return nil }
            Self.note(regroups: false, in: &s)
            return story
        }
    }

    public func storedItems(seenSince since: Timestamp) throws(StoreError) -> [StoredItem] {
        let url = Dictionary(state.feeds.map { ($0.record.id, $0.record.url) }, uniquingKeysWith: { a, _ in a })
        return state.items.filter { $0.firstSeen >= since && $0.duplicateOf == nil }.map { i in
            StoredItem(feedURL: url[i.feedID] ?? "", id: i.entryKey.hasPrefix("id:") ? String(i.entryKey.dropFirst(3)) : nil,
                       title: i.title, summary: i.summary, link: i.link, published: i.published, firstSeen: i.firstSeen)
        }
    }

    /// A correction takes the next position.
    private static func note(regroups: Bool, in s: inout State) {
        if regroups { s.regroupMark = s.nextPosition }
        s.nextPosition += 1
    }

    private static func unknownStory(_ id: String) -> StoreError {
        StoreError(.notFound, "no story \(id) (feedwatch stories --json lists their ids)")
    }

    static func currentStory(_ id: String, in s: State) -> String? {
        var id = id
        var seen: Set<String> = []
        while seen.insert(id).inserted, let next = s.merges[id] { id = next }
        return s.stories[id] == nil ? nil : id
    }

    /// What an absorbed story hands over: its mute, its pairs kept apart, its id as an alias.
    static func carryCorrections(from: String, into: String, now: Timestamp, in s: inout State) {
        guard from != into, s.stories[from] != nil else { return }
        if let mute = s.mutes.removeValue(forKey: from) {
            if let mine = s.mutes[into], let a = mine, let b = mute {
                s.mutes[into] = .some(max(a, b))
            } else if s.mutes[into] == nil {
                s.mutes[into] = .some(mute)
            } else {
                s.mutes[into] = .some(nil)  // either muted for good: for good
            }
        }
        for (alias, target) in s.merges where target == from { s.merges[alias] = into }
        s.merges[from] = into
        s.apart = Set(s.apart.map { $0.map { $0 == from ? into : $0 } }.filter { $0[0] != $0[1] })
    }

    private static func refreshFace(of story: String, in s: inout State) {
        let items = s.items.filter { $0.storyID == story }.sorted { ($0.storyAt!, $0.id) < ($1.storyAt!, $1.id) }
        s.stories[story]?.size = items.count
        if let title = items.first?.title { s.stories[story]?.title = title }
    }
}
