import Config
import Foundation
import FeedwatchCore
import Store
import StoreTestSupport
import Testing
@testable import AlertDelivery

@Suite struct SigningTests {
    @Test func base64MatchesRFC4648() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        for bad in ["Zg=", "Z===", "Zm9v!", "Zg==Zg==", "Zm 9v"] { #expect(Base64.decode(bad) == nil, "\(bad)") }
        var rng = SystemRandomNumberGenerator()
        for n in 0..<70 {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
        }
    }

    /// The example of the Standard Webhooks reference libraries' tests.
    @Test func signatureMatchesTheSpecificationsExample() throws {
        let key = try StandardWebhooks.key(fromSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = try StandardWebhooks.signature(key: key, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                                       body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(throws: StandardWebhooks.SecretError.self) { try StandardWebhooks.key(fromSecret: "whsec_not base64!") }
    }
}

/// The outbox engine on the in-memory store (the real engines pass the same conformance suite),
/// with sinks that fail as told.
@Suite struct OutboxTests {
    final class ScriptedSink: AlertSink {
        let name: String
        let topics: Set<String>?
        let retry: SinkConfig.Retry?
        var batchLimit: Int
        var failures: [Error]
        var delivered: [String] = []
        var storyPolicy = SinkConfig.StoryPolicy.every

        init(_ name: String, topics: Set<String>? = nil, retry: SinkConfig.Retry? = SinkConfig.Retry(maxAttempts: 3, maxAge: 3_600),
             batchLimit: Int = 500, failures: [Error] = []) {
            self.name = name
            self.topics = topics
            self.retry = retry
            self.batchLimit = batchLimit
            self.failures = failures
        }

        func deliver(_ alerts: [Alert]) throws {
            if !failures.isEmpty { throw failures.removeFirst() }
            delivered += alerts.map(\.id)
        }
    }

    let store = MemoryStore()
    let t0 = Timestamp(secondsSince1970: 1_800_000_000)

    /// The sinks have their place in the queue before any alert is stored, as the daemon gives
    /// them when it loads the config.
    init() throws {
        _ = try store.registerSinks(["every", "file", "first", "hook", "milestones", "police-only"])
    }

    private func at(_ s: Int64) -> Timestamp { Timestamp(secondsSince1970: t0.secondsSince1970 + s) }

    /// Stores alerts `ids` (each with the given topics) as a poll would.
    private func alerts(_ ids: [String], topics: [String] = ["police"], now: Timestamp? = nil) throws {
        let feed = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        try ingest(store, feedID: feed, ids.map { ItemCandidate(FeedItem(id: $0, title: $0)) }, now: now ?? t0) { item in
            testAlert("fw_" + item.id!, at: now ?? t0, topics: topics)
        }
    }

    /// Stores alerts `(id, story, size)` with the story frame of a real record.
    private func storyAlerts(_ list: [(id: String, story: String, size: Int)]) throws {
        let feed = try #require(try store.syncFeeds([("https://a.example/feed", "a")], now: t0).first?.id)
        let byID = Dictionary(uniqueKeysWithValues: list.map { ($0.id, $0) })
        try ingest(store, feedID: feed, list.map { ItemCandidate(FeedItem(id: $0.id, title: $0.id)) }, now: t0) { item in
            let a = byID[item.id!]!
            return testAlert("fw_" + a.id, at: t0, topics: ["police"], story: Alert.Story(id: a.story, size: a.size, firstSeen: t0))
        }
    }

    /// `first` takes a story's first alert it sees, `milestones` that and each that reaches 3,
    /// 5, 10 or 25 items (or passes one it did not see); what a sink took survives a restart, and
    /// a failed delivery records nothing.
    @Test func storyPoliciesChooseAlertsPerSink() throws {
        let every = ScriptedSink("every"), first = ScriptedSink("first"), milestones = ScriptedSink("milestones", failures: [DeliveryFailure("HTTP 500")])
        first.storyPolicy = .first
        milestones.storyPolicy = .milestones
        try storyAlerts([("a1", "st_a", 1), ("b1", "st_b", 1), ("a2", "st_a", 2), ("a3", "st_a", 3), ("b2", "st_b", 2)])
        let sinks = [every, first, milestones]
        try Delivery.deliverPending(store, to: sinks, now: t0, random: { 0.5 })
        #expect(every.delivered == ["fw_a1", "fw_b1", "fw_a2", "fw_a3", "fw_b2"])
        #expect(first.delivered == ["fw_a1", "fw_b1"])
        #expect(milestones.delivered.isEmpty)
        #expect(try store.storySizes(sink: "milestones", stories: ["st_a", "st_b"]).isEmpty)
        try Delivery.deliverPending(store, to: sinks, now: at(10), random: { 0.5 })
        #expect(milestones.delivered == ["fw_a1", "fw_b1", "fw_a3"])
        #expect(try store.storySizes(sink: "milestones", stories: ["st_a", "st_b"]) == ["st_a": 3, "st_b": 1])
        // Later alerts, seen by fresh sink objects (a restart): a4 is no milestone, a6 passes 5.
        try storyAlerts([("a4", "st_a", 4), ("a6", "st_a", 6), ("b3", "st_b", 3), ("c1", "st_c", 1)])
        let first2 = ScriptedSink("first"), milestones2 = ScriptedSink("milestones")
        first2.storyPolicy = .first
        milestones2.storyPolicy = .milestones
        // `outbox` counts only what a sink would take.
        #expect(try Delivery.report(store, sinks: [first2, milestones2]).map(\.pending) == [1, 3])
        try Delivery.deliverPending(store, to: [first2, milestones2], now: at(20), random: { 0.5 })
        #expect(first2.delivered == ["fw_c1"])
        #expect(milestones2.delivered == ["fw_a6", "fw_b3", "fw_c1"])
    }

    @Test func aFailingSinkBacksOffThenDeliversInOrder() throws {
        let sink = ScriptedSink("hook", failures: [DeliveryFailure("HTTP 500"), DeliveryFailure("HTTP 503", retryAfter: Timestamp(secondsSince1970: 1_800_000_100))])
        try alerts(["a", "b"])
        try Delivery.deliverPending(store, to: [sink], now: t0, random: { 0.5 })
        var state = try #require(try store.sinkState(sink: "hook"))
        #expect(state.attempts == 1 && state.nextAttemptAt == at(2) && state.lastError == "HTTP 500")
        #expect(try Delivery.nextAttempt(store, sinks: [sink]) == at(2))
        // Not due yet: nothing is tried.
        try Delivery.deliverPending(store, to: [sink], now: at(1), random: { 0.5 })
        #expect(sink.failures.count == 1)
        // The second failure asks for 100 s: longer than the backoff, so it wins.
        try Delivery.deliverPending(store, to: [sink], now: at(2), random: { 0.5 })
        state = try #require(try store.sinkState(sink: "hook"))
        #expect(state.attempts == 2 && state.nextAttemptAt == at(100))
        try Delivery.deliverPending(store, to: [sink], now: at(100), random: { 0.5 })
        #expect(sink.delivered == ["fw_a", "fw_b"])
        state = try #require(try store.sinkState(sink: "hook"))
        #expect(state.attempts == 0 && state.nextAttemptAt == nil && state.lastError == nil)
        #expect(try Delivery.nextAttempt(store, sinks: [sink]) == nil)
    }

    @Test func repeatedOrPermanentFailuresDeadLetterAndTheRestGoesOn() throws {
        let sink = ScriptedSink("hook", batchLimit: 1, failures: [DeliveryFailure("HTTP 400", permanent: true)]
            + Array(repeating: DeliveryFailure("HTTP 500"), count: 3))
        try alerts(["a", "b", "c"])
        try Delivery.deliverPending(store, to: [sink], now: t0)   // a: refused at once; b: 500
        for k in 1...2 { try Delivery.deliverPending(store, to: [sink], now: at(Int64(k) * 1_000)) }  // b: 500, 500 → dead
        #expect(sink.delivered == ["fw_c"])
        let dead = try store.deadLetters(sink: "hook")
        #expect(dead.map(\.alert.id) == ["fw_a", "fw_b"])
        #expect(dead.map(\.attempts) == [1, 3])
        #expect(dead[1].error == "HTTP 500 (3 attempts)")
        // Requeued: sent before anything newer, then forgotten.
        #expect(try store.requeue(alertID: "fw_b") == 1)
        try alerts(["d"])
        try Delivery.deliverPending(store, to: [sink], now: at(5_000))
        #expect(sink.delivered == ["fw_c", "fw_b", "fw_d"])
        #expect(try store.deadLetters(sink: "hook").map(\.alert.id) == ["fw_a"])
    }

    @Test func alertsOlderThanMaxAgeAreDeadLetteredAfterAFailure() throws {
        let sink = ScriptedSink("hook", retry: SinkConfig.Retry(maxAttempts: 100, maxAge: 600), failures: [DeliveryFailure("HTTP 500")])
        try alerts(["old"])
        try Delivery.deliverPending(store, to: [sink], now: at(601))
        #expect(try store.deadLetters(sink: "hook").first?.error == "HTTP 500 (older than max_age after 1 attempts)")
    }

    @Test func localSinksBackOffButNeverDeadLetter() throws {
        let sink = ScriptedSink("file", retry: nil, failures: Array(repeating: SinkError("disk full"), count: 5))
        try alerts(["a"])
        for k in 0..<5 { try Delivery.deliverPending(store, to: [sink], now: at(Int64(k) * 100)) }
        #expect(try store.deadLetters(sink: nil).isEmpty)
        #expect(try store.sinkState(sink: "file")?.attempts == 5)
        // It backs off like the others (a full disk must not spin the daemon): 32 s ±10 % after five.
        #expect(try Delivery.nextAttempt(store, sinks: [sink]).map { $0.secondsSince1970 - at(400).secondsSince1970 } ?? 0 >= 28)
        try Delivery.deliverPending(store, to: [sink], now: at(1_000))
        #expect(sink.delivered == ["fw_a"])
    }

    /// A record that cannot be read is dead-lettered for each sink with the reason — in its place
    /// in the order, without holding up the alerts behind it, never passed over in silence.
    @Test func anUnreadableRecordIsDeadLetteredWithItsReason() throws {
        let sink = ScriptedSink("file")
        var logged: [String] = []
        try alerts(["p1"])
        store.insertRawAlert(id: "fw_broken", record: #"{"alert_id":"fw_broken","emitted_at":"#, at: t0)
        try alerts(["p2"])
        try Delivery.deliverPending(store, to: [sink], now: t0, log: { logged.append($0) })
        #expect(sink.delivered == ["fw_p1", "fw_p2"])
        let dead = try store.deadLetters(sink: "file")
        #expect(dead.map(\.alert.id) == ["fw_broken"])
        #expect(dead.first?.error.hasPrefix("unreadable alert record") == true, "\(dead)")
        #expect(logged.contains { $0.contains("fw_broken") })
        #expect(try store.sinkState(sink: "file")?.cursor == store.lastAlertPosition())
    }

    @Test func topicFiltersSkipWithoutHoldingTheCursor() throws {
        let sink = ScriptedSink("police-only", topics: ["police"])
        try alerts(["p1"])
        try alerts(["w1"], topics: ["weather"])
        try alerts(["p2"])
        try Delivery.deliverPending(store, to: [sink], now: t0)
        #expect(sink.delivered == ["fw_p1", "fw_p2"])
        #expect(try store.sinkState(sink: "police-only")?.cursor == store.lastAlertPosition())
        #expect(try Delivery.report(store, sinks: [sink]).first?.pending == 0)
    }
}

/// Chat formats say where an alert belongs in its story, as text lines do.
@Suite struct ChatFormatTests {
    @Test func aStoryOfSeveralSaysItsSizeAndFirstOutlet() throws {
        let t = Timestamp(secondsSince1970: 1_800_000_000)
        func alert(size: Int) -> Alert {
            Alert(id: "fw_1", emittedAt: t, matches: [("police", [])], feed: Alert.Feed(url: "https://w.example/feed", title: "Wired"),
                  item: Alert.Item(id: nil, title: "Police <buy> scanners", link: "https://w.example/1", published: t, summary: nil, authors: []),
                  story: Alert.Story(id: "st_1", size: size, firstSeen: t,
                                     first: size > 1 ? Alert.Story.First(outlet: "The Verge", published: Timestamp(secondsSince1970: t.secondsSince1970 - 3_600)) : nil))
        }
        func text(_ format: SinkConfig.WebhookFormat, _ a: Alert) -> String { String(decoding: WebhookPayload.body(for: [a], format: format, batched: false).0, as: UTF8.self) }
        #expect(text(.slack, alert(size: 3)).contains("— Wired (story of 3 · first: The Verge, 07:00)"), "\(text(.slack, alert(size: 3)))")
        #expect(text(.discord, alert(size: 3)).contains("— Wired (story of 3 · first: The Verge, 07:00)\\nhttps"), "\(text(.discord, alert(size: 3)))")
        #expect(text(.ntfy, alert(size: 3)).hasPrefix("(story of 3 · first: The Verge, 07:00) "))
        #expect(!text(.slack, alert(size: 1)).contains("story of"))
    }
}

@Suite struct DigestTests {
    /// The summary block, as people grep it.
    @Test func summaryBlockGolden() throws {
        func view(_ id: String, _ topics: [String], _ feed: String, _ title: String, story: String, size: Int) throws -> Alert {
            let t = Timestamp(secondsSince1970: 1_800_000_000)
            return Alert(id: id, emittedAt: t, matches: topics.map { ($0, []) }, feed: Alert.Feed(url: "https://\(feed).example/feed", title: feed),
                         item: Alert.Item(id: nil, title: title, link: "https://\(feed).example/1", published: nil, summary: nil, authors: []),
                         story: Alert.Story(id: story, size: size, firstSeen: t))
        }
        let alerts = [
            try view("a1", ["police"], "Verge", "Police buy face scanner", story: "s1", size: 1),
            try view("a2", ["police", "facial-recognition"], "Wired", "Police face scanner deal", story: "s1", size: 2),
            try view("a3", ["facial-recognition"], "Ars", "Airport face checks", story: "s2", size: 1),
            try view("a4", ["police"], "Ars", "Police scanner, third take", story: "s1", size: 3),
        ]
        var failing = FeedRecord(id: 1, url: "https://down.example/feed", currentURL: "https://down.example/feed", errorsInRow: 3,
                                 nextDueAt: Timestamp(secondsSince1970: 0), gone: false, fetchedOnce: true, itemsSeen: 0)
        failing.lastError = "HTTP 500"
        let text = DigestSink.summary(alerts, from: Timestamp(secondsSince1970: 1_800_000_000), to: Timestamp(secondsSince1970: 1_800_003_600),
                                      failing: [failing])
        #expect(text == """
            == summary 2027-01-15T08:00:00Z – 2027-01-15T09:00:00Z: 4 alerts
               topics: police 3, facial-recognition 2
               story: 3 items "Police buy face scanner" (Verge, Wired, Ars)
               story: 1 item "Airport face checks" (Ars)
               failing: https://down.example/feed: HTTP 500 (3 in a row)

            """)
    }

    /// A torn last line (a `kill -9` mid-write) is cut off before the digest's first write, and
    /// said: the next line starts on a line of its own.
    @Test func aTornLastLineIsCutBeforeTheFirstWrite() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("2027-01-15T08:00:00Z [police] Verge: whole <https://verge.example/1>\n2027-01-15T08:0".utf8)
            .write(to: URL(fileURLWithPath: path))
        let sink = DigestSink(path: path, every: 3_600, topics: nil)
        let t = Timestamp(secondsSince1970: 1_800_000_000)
        let alert = Alert(id: "a1", emittedAt: t, matches: [("police", [])], feed: Alert.Feed(url: "https://wired.example/feed", title: "Wired"),
                          item: Alert.Item(id: nil, title: "Next", link: "https://wired.example/2", published: t, summary: nil, authors: []),
                          story: nil)
        try sink.deliver([alert])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == """
            2027-01-15T08:00:00Z [police] Verge: whole <https://verge.example/1>
            2027-01-15T08:00:00Z [police] Wired: Next <https://wired.example/2>

            """)
        #expect(sink.drainNotices() == ["\(path): cut off a torn last line (15 bytes, left by an interrupted write)"])
        try sink.deliver([alert])  // looked at once: a later write appends
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 3)
    }

    @Test func backoffGrowsFromSecondsToHours() {
        #expect((1...5).map(Delivery.backoff) == [2, 4, 8, 16, 32])
        #expect(Delivery.backoff(14) == 16_384 && Delivery.backoff(15) == 6 * 3_600)
        #expect(Delivery.backoff(1_000) == 6 * 3_600)
    }
}
