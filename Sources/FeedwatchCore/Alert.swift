/// One alert, as every stage after classification sees it: made once by the poller, stored, read
/// back by the outbox, and handed to the sinks — typed all the way. Its contract record (`record`,
/// the JSON object the contract describes) is encoded once, when the alert is made, by
/// `AlertCodec`, and never rebuilt: a delivery repeated after a crash is byte for byte the same.
/// Health alerts are a case of it (`Subject.health`), not an id prefix.
public struct Alert: Sendable, Equatable {
    public struct Feed: Sendable, Equatable {
        public var url: String
        public var title: String?
        public init(url: String, title: String?) {
            self.url = url
            self.title = title
        }
    }

    /// Why a topic matched: each term once per field (an alert says why, not where).
    public struct Match: Sendable, Equatable {
        public var term: String
        public var field: String
        public init(term: String, field: String) {
            self.term = term
            self.field = field
        }
    }

    public struct Item: Sendable, Equatable {
        public var id: String?
        public var title: String?
        public var link: String?
        public var published: Timestamp?
        public var summary: String?
        public var authors: [String]
        public init(id: String?, title: String?, link: String?, published: Timestamp?, summary: String?, authors: [String]) {
            self.id = id
            self.title = title
            self.link = link
            self.published = published
            self.summary = summary
            self.authors = authors
        }
    }

    public struct Story: Sendable, Equatable {
        /// The story's earliest-published item: who broke it, and when.
        public struct First: Sendable, Equatable {
            public var outlet: String?
            public var published: Timestamp
            public init(outlet: String?, published: Timestamp) {
                self.outlet = outlet
                self.published = published
            }
        }
        public var id: String
        /// Items in the story when this alert was made, this one included.
        public var size: Int
        public var firstSeen: Timestamp
        /// Absent for a story of one.
        public var first: First?
        public init(id: String, size: Int, firstSeen: Timestamp, first: First? = nil) {
            self.id = id
            self.size = size
            self.firstSeen = firstSeen
            self.first = first
        }
    }

    public enum HealthEvent: String, Sendable { case failing, recovered, silent }

    public struct Health: Sendable, Equatable {
        public var event: HealthEvent
        public var errorsInRow: Int?
        public var error: String?
        public var silentFor: Int?
        public var usualGap: Int?
        public init(event: HealthEvent, errorsInRow: Int? = nil, error: String? = nil, silentFor: Int? = nil, usualGap: Int? = nil) {
            self.event = event
            self.errorsInRow = errorsInRow
            self.error = error
            self.silentFor = silentFor
            self.usualGap = usualGap
        }
    }

    /// What the alert is about: an item that matched (with its story), or a feed's health.
    public enum Subject: Sendable, Equatable {
        case item(Item, story: Story?)
        case health(Health)
    }

    public let id: String
    public let emittedAt: Timestamp
    /// Topic names in config order (`["health"]` for a health alert).
    public let topics: [String]
    public let matches: [(topic: String, matches: [Match])]
    public let feed: Feed
    public let subject: Subject
    /// The contract's record, encoded once when the alert was made (or as it was stored).
    public let record: String

    /// An item's alert.
    public init(id: String, emittedAt: Timestamp, matches: [(topic: String, matches: [Match])], feed: Feed, item: Item, story: Story?) {
        self.init(id: id, emittedAt: emittedAt, topics: matches.map(\.topic), matches: matches, feed: feed, subject: .item(item, story: story))
    }

    /// A feed's health alert: topics `["health"]`, no matches, `item` and `story` null.
    public init(id: String, emittedAt: Timestamp, feed: Feed, health: Health) {
        self.init(id: id, emittedAt: emittedAt, topics: ["health"], matches: [], feed: feed, subject: .health(health))
    }

    private init(id: String, emittedAt: Timestamp, topics: [String], matches: [(topic: String, matches: [Match])], feed: Feed, subject: Subject) {
        self.init(id: id, emittedAt: emittedAt, topics: topics, matches: matches, feed: feed, subject: subject,
                  record: AlertCodec.encode(id: id, emittedAt: emittedAt, topics: topics, matches: matches, feed: feed, subject: subject))
    }

    /// Decoded from a stored record (`AlertCodec.decode`), keeping the record as it was stored.
    init(id: String, emittedAt: Timestamp, topics: [String], matches: [(topic: String, matches: [Match])], feed: Feed,
         subject: Subject, record: String) {
        self.id = id
        self.emittedAt = emittedAt
        self.topics = topics
        self.matches = matches
        self.feed = feed
        self.subject = subject
        self.record = record
    }

    public static func == (a: Alert, b: Alert) -> Bool { a.id == b.id && a.record == b.record }

    public var isHealth: Bool { if case .health = subject { true } else { false } }
    public var item: Item? { if case .item(let item, _) = subject { item } else { nil } }
    public var story: Story? { if case .item(_, let story) = subject { story } else { nil } }
    public var health: Health? { if case .health(let h) = subject { h } else { nil } }

    /// The item's title, or what a health alert says: the line a person reads.
    public var headline: String {
        switch subject {
        case .item(let item, _): return item.title ?? "(untitled)"
        case .health(let h):
            switch h.event {
            case .failing: return "feed failing: \(h.error ?? "error") (\(h.errorsInRow ?? 0) polls in a row)"
            case .recovered: return "feed recovered after \(h.errorsInRow ?? 0) failed polls"
            case .silent: return "feed silent for \(Self.span(h.silentFor)) (usually a new item every \(Self.span(h.usualGap)))"
            }
        }
    }

    /// Where the alert belongs, for text lines: `story of 4 · first: The Verge, 09:53` (the
    /// outlet that published the story's earliest item, and when, UTC); nothing for a story of
    /// one or a health alert.
    public var storyNote: String? {
        guard let s = story, s.size > 1 else { return nil }
        var note = "story of \(s.size)"
        if let f = s.first, let outlet = f.outlet { note += " · first: \(outlet), " + String(f.published.rfc3339.dropFirst(11).prefix(5)) }
        return note
    }

    /// Only a link a person can safely follow (records stored before that rule may hold others),
    /// without the parameters that only track its reader (the record keeps it as published).
    public var link: String? { item?.link.flatMap(URLText.followableLink).map(URLText.withoutTracking) }

    /// When the item was published, else when the alert was made (health alerts, undated items):
    /// a line read later says when the news broke, not when a batch was polled.
    public var time: Timestamp { item?.published ?? emittedAt }

    private static func span(_ seconds: Int?) -> String {
        let s = seconds ?? 0
        return s >= 86_400 ? "\(s / 86_400)d" : s >= 3_600 ? "\(s / 3_600)h" : "\(max(1, s / 60))m"
    }
}

/// The one codec of the alert record: `encode` when an alert is made, `decode` when the outbox
/// reads one back. A record that does not decode is an error with its reason, never skipped.
public enum AlertCodec {
    public struct DecodingError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    static func encode(id: String, emittedAt: Timestamp, topics: [String], matches: [(topic: String, matches: [Alert.Match])],
                       feed: Alert.Feed, subject: Alert.Subject) -> String {
        var w = JSONWriter(pretty: false, capacity: 1_024)
        w.beginObject()
        w.field("alert_id", id)
        w.field("emitted_at", emittedAt.rfc3339)
        w.field("topics", strings: topics)
        w.key("matches")
        w.beginObject()
        for (topic, list) in matches {
            w.key(topic)
            w.beginArray()
            for m in list {
                w.beginObject()
                w.field("term", m.term)
                w.field("field", m.field)
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
        w.key("feed")
        w.beginObject()
        w.field("url", feed.url)
        w.field("title", feed.title)
        w.endObject()
        switch subject {
        case .item(let item, let story):
            w.key("item")
            w.beginObject()
            w.field("id", item.id)
            w.field("title", item.title)
            w.field("link", item.link)
            w.field("published", item.published?.rfc3339)
            w.field("summary", item.summary)
            w.field("authors", strings: item.authors)
            w.endObject()
            w.key("story")
            if let story {
                w.beginObject()
                w.field("id", story.id)
                w.field("size", Int64(story.size))
                w.field("first_seen", story.firstSeen.rfc3339)
                if let first = story.first {
                    w.key("first")
                    w.beginObject()
                    w.field("outlet", first.outlet)
                    w.field("published", first.published.rfc3339)
                    w.endObject()
                }
                w.endObject()
            } else {
                w.null()
            }
        case .health(let h):
            w.key("item")
            w.null()
            w.key("story")
            w.null()
            w.key("health")
            w.beginObject()
            w.field("event", h.event.rawValue)
            w.field("errors_in_row", h.errorsInRow.map(Int64.init))
            w.field("error", h.error)
            w.field("silent_for", h.silentFor.map(Int64.init))
            w.field("usual_gap", h.usualGap.map(Int64.init))
            w.endObject()
        }
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Reads a stored record back. Throws, with the reason, for a record that is not one.
    public static func decode(_ record: String) throws(DecodingError) -> Alert {
        let json: JSONValue
        do {
            json = try JSONReader.read(record)
        } catch {
            throw DecodingError(description: "unreadable alert record: \(error)")
        }
        var r = Fields(json, path: "")
        let id = try r.string("alert_id")
        r.alertID = id
        func time(_ s: String, _ what: String) throws(DecodingError) -> Timestamp {
            guard let t = Timestamp(rfc3339: s) else { throw DecodingError(description: "alert \(id): bad \(what) '\(s)'") }
            return t
        }
        let emittedAt = try r.string("emitted_at")
        let topics = try r.strings("topics")
        let feed = try r.object("feed")
        let feedURL = try feed.string("url")
        let feedTitle = try feed.optionalString("title")
        // JSON objects have no order once decoded: the topics' order (config order) is the record's.
        var byTopic: [String: [Alert.Match]] = [:]
        if let m = try r.optionalObject("matches") {
            for (topic, value) in m.members {
                let list = try m.array(topic, value)
                byTopic[topic] = try list.map { (v) throws(DecodingError) -> Alert.Match in
                    let one = try m.object("\(topic)[]", v)
                    return Alert.Match(term: try one.string("term"), field: try one.string("field"))
                }
            }
        }
        let matches = topics.compactMap { t in byTopic[t].map { (topic: t, matches: $0) } }
        let subject: Alert.Subject
        if let h = try r.optionalObject("health") {
            let event = try h.string("event")
            guard let kind = Alert.HealthEvent(rawValue: event) else {
                throw DecodingError(description: "alert \(id): unknown health event '\(event)'")
            }
            subject = .health(Alert.Health(event: kind, errorsInRow: try h.optionalInt("errors_in_row"), error: try h.optionalString("error"),
                                           silentFor: try h.optionalInt("silent_for"), usualGap: try h.optionalInt("usual_gap")))
        } else if let i = try r.optionalObject("item") {
            var published: Timestamp?
            if let p = try i.optionalString("published") { published = try time(p, "item.published") }
            let story: Alert.Story?
            if let s = try r.optionalObject("story") {
                var first: Alert.Story.First?
                if let f = try s.optionalObject("first") {
                    first = Alert.Story.First(outlet: try f.optionalString("outlet"), published: try time(try f.string("published"), "story.first.published"))
                }
                story = Alert.Story(id: try s.string("id"), size: try s.int("size"), firstSeen: try time(try s.string("first_seen"), "story.first_seen"),
                                    first: first)
            } else {
                story = nil
            }
            subject = .item(Alert.Item(id: try i.optionalString("id"), title: try i.optionalString("title"), link: try i.optionalString("link"),
                                       published: published, summary: try i.optionalString("summary"),
                                       authors: try i.optionalStrings("authors") ?? []),
                            story: story)
        } else {
            throw DecodingError(description: "alert \(id): neither an item nor a health event")
        }
        return Alert(id: id, emittedAt: try time(emittedAt, "emitted_at"), topics: topics, matches: matches,
                     feed: Alert.Feed(url: feedURL, title: feedTitle), subject: subject, record: record)
    }

    /// An object of the record, read member by member: a member that is missing or of the wrong
    /// type is an error naming it (`null` is a missing optional member, as the contract writes
    /// absent values).
    private struct Fields {
        let members: [(String, JSONValue)]
        let path: String
        var alertID: String?

        init(_ members: [(String, JSONValue)], path: String, alertID: String?) {
            self.members = members
            self.path = path
            self.alertID = alertID
        }

        init(_ value: JSONValue, path: String) {
            if case .object(let m) = value { self.init(m, path: path, alertID: nil) } else { self.init([], path: path, alertID: nil) }
        }

        private func fail(_ key: String, _ what: String) -> DecodingError {
            DecodingError(description: "unreadable alert record\(alertID.map { " \($0)" } ?? ""): \(path)\(key) \(what)")
        }

        private func member(_ key: String) -> JSONValue? {
            guard let v = members.last(where: { $0.0 == key })?.1 else { return nil }
            if case .null = v { return nil }
            return v
        }

        func optionalString(_ key: String) throws(DecodingError) -> String? {
            guard let v = member(key) else { return nil }
            guard case .string(let s) = v else { throw fail(key, "is not a string") }
            return s
        }

        func string(_ key: String) throws(DecodingError) -> String {
            guard let s = try optionalString(key) else { throw fail(key, "is missing") }
            return s
        }

        func optionalInt(_ key: String) throws(DecodingError) -> Int? {
            guard let v = member(key) else { return nil }
            guard case .number(let n) = v, let i = Int(n) else { throw fail(key, "is not an integer") }
            return i
        }

        func int(_ key: String) throws(DecodingError) -> Int {
            guard let i = try optionalInt(key) else { throw fail(key, "is missing") }
            return i
        }

        func optionalStrings(_ key: String) throws(DecodingError) -> [String]? {
            guard let v = member(key) else { return nil }
            guard case .array(let list) = v else { throw fail(key, "is not a list of strings") }
            return try list.map { (e) throws(DecodingError) -> String in
                guard case .string(let s) = e else { throw fail(key, "is not a list of strings") }
                return s
            }
        }

        func strings(_ key: String) throws(DecodingError) -> [String] {
            guard let list = try optionalStrings(key) else { throw fail(key, "is missing") }
            return list
        }

        func optionalObject(_ key: String) throws(DecodingError) -> Fields? {
            guard let v = member(key) else { return nil }
            return try object(key, v)
        }

        func object(_ key: String) throws(DecodingError) -> Fields {
            guard let o = try optionalObject(key) else { throw fail(key, "is missing") }
            return o
        }

        func object(_ key: String, _ v: JSONValue) throws(DecodingError) -> Fields {
            guard case .object(let m) = v else { throw fail(key, "is not an object") }
            return Fields(m, path: path + key + ".", alertID: alertID)
        }

        func array(_ key: String, _ v: JSONValue) throws(DecodingError) -> [JSONValue] {
            guard case .array(let list) = v else { throw fail(key, "is not a list") }
            return list
        }
    }
}

extension Timestamp {
    /// Reads `YYYY-MM-DDTHH:MM:SSZ`, the one form `rfc3339` writes (stored records are ours).
    public init?(rfc3339 s: String) {
        let b = Array(s.utf8)
        guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A else { return nil }
        func n(_ r: Range<Int>) -> Int? {
            var v = 0
            for c in b[r] {
                guard (0x30...0x39).contains(c) else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard let y = n(0..<4), let mo = n(5..<7), let d = n(8..<10), let h = n(11..<13), let mi = n(14..<16), let se = n(17..<19),
              let t = Timestamp(year: y, month: mo, day: d, hour: h, minute: mi, second: se) else { return nil }
        self = t
    }
}
