public import FeedwatchCore
public import Store

/// A store engine under test: how to make an empty store, and how to open the same store again
/// (as after a restart, or as a second process would).
public struct StoreEngine: Sendable, CustomStringConvertible {
    public var description: String
    public var make: @Sendable () throws -> FeedStore
    /// Another connection to the store `make` last made (the same object for a store in memory).
    public var reopen: @Sendable (FeedStore) throws -> FeedStore
    /// Another node's connection to the store `make` last made, under the name given — for an
    /// engine a fleet shares, which leases work to nodes (`nil`: one process holds the store).
    public var otherNode: (@Sendable (FeedStore, String) throws -> FeedStore)?

    public init(_ name: String, make: @escaping @Sendable () throws -> FeedStore, reopen: @escaping @Sendable (FeedStore) throws -> FeedStore,
                otherNode: (@Sendable (FeedStore, String) throws -> FeedStore)? = nil) {
        description = name
        self.make = make
        self.reopen = reopen
        self.otherNode = otherNode
    }

    public static let memory = StoreEngine("memory", make: { MemoryStore() }, reopen: { $0 })
}

/// An alert with a real record, for store tests.
public func testAlert(_ id: String, title: String? = nil, at: Timestamp = Timestamp(secondsSince1970: 0), topics: [String] = ["t"],
                      story: Alert.Story? = nil) -> Alert {
    Alert(id: id, emittedAt: at, matches: topics.map { ($0, [Alert.Match(term: "x", field: "title")]) },
          feed: Alert.Feed(url: "https://a.example/feed", title: "A"),
          item: Alert.Item(id: id, title: title ?? id, link: nil, published: nil, summary: nil, authors: []), story: story)
}

/// Triages items and applies what the poller would decide without stories: new items inserted
/// (in `stories[item id]`, with `alert(item)`; copies as copies), known ones touched or updated, an entry repeated in
/// the document one item. Returns the triage, as seen before the apply.
@discardableResult
public func ingest(_ store: FeedStore, feedID: Int64, _ items: [ItemCandidate], now: Timestamp,
                   stories: [String: StoryLink] = [:], alert: (FeedItem) -> Alert? = { _ in nil }) throws -> [Triage] {
    let triage = try store.triage(feedID: feedID, items)
    var seen: [String: String] = [:]
    var intents: [ItemIntent] = []
    for (c, t) in zip(items, triage) {
        if let hash = seen[c.entryKey] {
            intents.append(ItemIntent(c, hash == c.contentHash ? .touch : .update))
            continue
        }
        switch t {
        case .unchanged: intents.append(ItemIntent(c, .touch))
        case .updated: intents.append(ItemIntent(c, .update))
        case .copy:
            seen[c.entryKey] = c.contentHash
            intents.append(ItemIntent(c, .insertCopy))
        case .new:
            seen[c.entryKey] = c.contentHash
            intents.append(ItemIntent(c, .insert(story: c.item.id.flatMap { stories[$0] }, alert: alert(c.item))))
        }
    }
    // The ledger's position now (no member is placed that far in the future).
    let position = try store.storyMembers(after: 0, since: Timestamp(secondsSince1970: Int64.max / 2)).through
    _ = try store.apply([DocumentIntents(feedID: feedID, at: now, items: intents)], basedOn: position)
    return triage
}

