import Foundation
import TestSupport
import Testing

/// `feedwatch once` through the real binary: a store in a temp dir, feeds from files and from
/// the loopback server.
@Suite struct OnceCommandTests {
    private let dir: URL
    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    private func config(_ yaml: String) throws -> String {
        let file = dir.appendingPathComponent("feedwatch.yaml")
        try Data(yaml.utf8).write(to: file)
        return file.path
    }

    private func alertLines() -> [String] {
        ((try? String(contentsOf: dir.appendingPathComponent("alerts.jsonl"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    private static func rss(_ items: [(guid: String, title: String)]) -> String {
        "<rss version=\"2.0\"><channel><title>Local</title>"
            + items.map { "<item><guid>\($0.guid)</guid><title>\($0.title)</title><pubDate>Sun, 22 Nov 2026 05:00:00 GMT</pubDate></item>" }.joined()
            + "</channel></rss>"
    }

    @Test func twiceOverTheSameFeedsAlertsOnce() throws {
        let server = try FeedServer()
        try Data(Self.rss([("a", "Police news"), ("b", "Weather")]).utf8).write(to: dir.appendingPathComponent("local.xml"))
        let path = try config("""
            first_fetch_window: all
            feeds:
              - url: local.xml
              - url: '\(server.url("/etag"))'
            topics:
              police: police
              ibm: IBM
            sinks:
              - file: {path: alerts.jsonl}
              - stdout: {format: json}
            """)
        let first = try BinaryRunner.run(["once", "--config", path])
        #expect(first.status == 0, "\(first.stderr)")
        let lines = alertLines()
        #expect(lines.count == 2)  // "Police news", and rss2-basic's IBM item
        #expect(first.stdout.split(separator: "\n").count == 2)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(Set(record.keys) == ["alert_id", "emitted_at", "topics", "matches", "feed", "item", "story"])
        // An alert says why (each term and field once), not where: no offsets.
        let matches = try #require(record["matches"] as? [String: [[String: Any]]])
        #expect(matches.values.allSatisfy { list in list.allSatisfy { Set($0.keys) == ["term", "field"] } })
        let story = try #require(record["story"] as? [String: Any])
        #expect((story["id"] as? String)?.dropFirst(3) == (record["alert_id"] as? String)?.dropFirst(3))

        let second = try BinaryRunner.run(["once", "--all", "--config", path])
        #expect(second.status == 0)
        #expect(second.stdout.isEmpty)
        #expect(alertLines() == lines)
        // The second poll was conditional and got a 304.
        #expect(server.requests.last?.contains("If-None-Match: \"v1\"") == true)

        // A new item in the file alerts; the old ones do not again.
        try Data(Self.rss([("a", "Police news"), ("b", "Weather"), ("c", "More police")]).utf8).write(to: dir.appendingPathComponent("local.xml"))
        let third = try BinaryRunner.run(["once", "--all", "--config", path])
        #expect(third.status == 0)
        #expect(alertLines().count == 3)
        #expect(alertLines().last?.contains("More police") == true)
    }

    @Test func aSinkAddedLaterGetsNewAlertsNotTheHistory() throws {
        try Data(Self.rss([("a", "Police news")]).utf8).write(to: dir.appendingPathComponent("local.xml"))
        func configure(_ sinks: String) throws -> String {
            try config("first_fetch_window: all\nfeeds:\n  - url: local.xml\ntopics:\n  police: police\nsinks:\n\(sinks)")
        }
        var path = try configure("  - file: {path: alerts.jsonl}\n")
        #expect(try BinaryRunner.run(["once", "--config", path]).status == 0)
        path = try configure("  - file: {path: alerts.jsonl}\n  - file: {path: later.jsonl}\n")
        try Data(Self.rss([("a", "Police news"), ("b", "Police again")]).utf8).write(to: dir.appendingPathComponent("local.xml"))
        #expect(try BinaryRunner.run(["once", "--all", "--config", path]).status == 0)
        let later = (try? String(contentsOf: dir.appendingPathComponent("later.jsonl"), encoding: .utf8)) ?? ""
        #expect(later.split(separator: "\n").count == 1)
        #expect(later.contains("Police again"))
        #expect(alertLines().count == 2)
    }

    @Test func aNewFeedDoesNotReplayItsArchive() throws {
        try Data("""
            <rss version="2.0"><channel><title>Old</title>
            <item><guid>1</guid><title>Police 2019</title><pubDate>Tue, 01 Jan 2019 00:00:00 GMT</pubDate></item>
            <item><guid>2</guid><title>Police, undated</title></item>
            </channel></rss>
            """.utf8).write(to: dir.appendingPathComponent("old.xml"))
        let path = try config("feeds:\n  - url: old.xml\ntopics:\n  police: police\nsinks:\n  - file: {path: alerts.jsonl}\n")
        #expect(try BinaryRunner.run(["once", "--config", path]).status == 0)
        #expect(alertLines().isEmpty)
    }

    @Test func failuresExit2AndTheRestIsStillProcessed() throws {
        let server = try FeedServer()
        try Data(Self.rss([("a", "Police news")]).utf8).write(to: dir.appendingPathComponent("local.xml"))
        let path = try config("""
            first_fetch_window: all
            feeds:
              - url: local.xml
              - url: '\(server.url("/missing"))'
              - url: '\(server.url("/gone"))'
              - url: '\(server.url("/page"))'
            topics:
              police: police
            sinks:
              - file: {path: alerts.jsonl}
            """)
        let r = try BinaryRunner.run(["once", "--config", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/missing: HTTP 404"))
        #expect(r.stderr.contains("/gone: HTTP 410 Gone"))
        #expect(r.stderr.contains("/page: not a feed"))
        #expect(alertLines().count == 1)

        // Gone is never asked again, even by --all.
        let before = server.requests.filter { $0.contains("/gone") }.count
        _ = try BinaryRunner.run(["once", "--all", "--config", path])
        #expect(server.requests.filter { $0.contains("/gone") }.count == before)
    }

    @Test func retryAfterHoldsBackEveryFeedOfThatHost() throws {
        let server = try FeedServer()
        let path = try config("""
            feeds:
              - url: '\(server.url("/busy"))'
              - url: '\(server.url("/feed.xml"))'
            topics:
              all: '*'
            """)
        #expect(try BinaryRunner.run(["once", "--config", path]).status == 2)
        let before = server.requests.count
        #expect(before == 2)
        // Even --all sends nothing to the host before its Retry-After (120 s) has passed.
        let again = try BinaryRunner.run(["once", "--all", "--config", path])
        #expect(again.status == 0)
        #expect(server.requests.count == before)
    }

    /// `Retry-After: 2` means no request before two seconds after the answer, to the fraction:
    /// whole seconds rounded down (and counted from the cycle's start) let one through up to a
    /// second early.
    @Test func retryAfterHoldsToTheFractionOfASecond() throws {
        let server = try FeedServer()
        let path = try config("""
            feeds:
              - url: '\(server.url("/busy-2s"))'
                interval: 1s
            topics:
              all: '*'
            """)
        let start = Date()
        while Date().timeIntervalSince(start) < 5 {
            _ = try BinaryRunner.run(["once", "--all", "--config", path])
        }
        func times(_ prefix: String) -> [Double] {
            server.log.filter { $0.hasPrefix(prefix) }.compactMap { Double($0.dropFirst(prefix.count)) }
        }
        let arrived = times("arrived "), answered = times("answered ")
        #expect(arrived.count >= 2, "\(server.log)")
        for k in 1..<max(1, arrived.count) where k - 1 < answered.count {
            #expect(arrived[k] - answered[k - 1] >= 2.0, "request \(k + 1) came \(arrived[k] - answered[k - 1]) s after a Retry-After of 2 s")
        }
    }

    @Test func hostileServersAreFailuresNotCrashes() throws {
        let server = try FeedServer()
        let path = try config("""
            poll: {timeout: 4s, max_body: 1MB}
            feeds:
              - url: '\(server.url("/huge"))'
              - url: '\(server.url("/drip"))'
              - url: '\(server.url("/truncated"))'
              - url: '\(server.url("/gzip"))'
            topics:
              all: '*'
            """)
        let start = Date()
        let r = try BinaryRunner.run(["once", "--config", path])
        #expect(r.status == 2)
        #expect(Date().timeIntervalSince(start) < 15)
        #expect(r.stderr.contains("/huge: not a feed: document exceeds the size cap of 1048576 bytes")
            || r.stderr.contains("/huge: document exceeds the size cap"), "\(r.stderr)")
        #expect(r.stderr.contains("/drip: ") && r.stderr.contains("timed out or too slow"), "\(r.stderr)")
        #expect(r.stderr.contains("/truncated: "), "\(r.stderr)")
        #expect(!r.stderr.contains("/gzip"), "\(r.stderr)")
        // The compressed feed was stored; the others are failing, with their error kept.
        let status = try BinaryRunner.run(["status", "--config", path, "--json"])
        let rows = try status.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(rows.map { $0["errors_in_row"] as? Int } == [1, 1, 1, 0])
        #expect((rows[3]["items_seen"] as? Int ?? 0) > 0)
    }

    /// With `poll.adaptive`, a feed that publishes weekly is not asked again in 10 minutes.
    @Test func adaptivePollingWaitsLongerForAFeedThatRarelyPublishes() throws {
        let weekly = (0..<4).map { week in
            "<item><guid>w\(week)</guid><title>Week \(week)</title><pubDate>\(["Sun, 22 Nov 2026", "Sun, 15 Nov 2026", "Sun, 08 Nov 2026", "Sun, 01 Nov 2026"][week]) 05:00:00 GMT</pubDate></item>"
        }.joined()
        try Data("<rss version=\"2.0\"><channel><title>Weekly</title>\(weekly)</channel></rss>".utf8).write(to: dir.appendingPathComponent("weekly.xml"))
        let path = try config("""
            state: \(dir.appendingPathComponent("state.sqlite").path)
            poll: {interval: 10m, adaptive: true, max_interval: 7d}
            feeds:
              - url: weekly.xml
            topics:
              t: '*'
            """)
        func nextPoll() throws -> TimeInterval {
            let json = try BinaryRunner.run(["status", "--config", path, "--json"]).stdout
            let feed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let text = try #require(feed["next_poll"] as? String)
            let next = try #require(ISO8601DateFormatter().date(from: text))
            return next.timeIntervalSinceNow
        }
        #expect(try BinaryRunner.run(["once", "--config", path]).status == 0)
        #expect(try nextPoll() < 11 * 60)  // first poll: nothing known yet, the interval as written
        #expect(try BinaryRunner.run(["once", "--all", "--config", path]).status == 0)
        // A week between items: polled about every 42 hours (±10 %), not every 10 minutes.
        let wait = try nextPoll()
        #expect(wait > 37 * 3_600 && wait < 47 * 3_600, "\(wait / 3_600) h")
    }

    /// Two feeds carrying the same article (one through a tracking link) alert once.
    @Test func theSameArticleInTwoFeedsAlertsOnce() throws {
        try Data("""
            <rss version="2.0"><channel><title>Outlet A</title>
            <item><guid>a-1</guid><title>Police buy face scanners</title><link>https://news.example.org/scanners</link></item>
            </channel></rss>
            """.utf8).write(to: dir.appendingPathComponent("a.xml"))
        try Data("""
            <rss version="2.0"><channel><title>Aggregator</title>
            <item><guid>agg-99</guid><title>Police buy face scanners (via Outlet A)</title>
            <link>https://news.example.org/scanners?utm_source=aggregator&amp;fbclid=x</link></item>
            </channel></rss>
            """.utf8).write(to: dir.appendingPathComponent("b.xml"))
        let path = try config("""
            state: \(dir.appendingPathComponent("state.sqlite").path)
            first_fetch_window: all
            feeds:
              - url: a.xml
              - url: b.xml
            topics:
              police: police
            sinks:
              - file: {path: \(dir.appendingPathComponent("alerts.jsonl").path)}
            """)
        #expect(try BinaryRunner.run(["once", "--config", path]).status == 0)
        #expect(alertLines().count == 1)
        #expect(try BinaryRunner.run(["once", "--all", "--config", path]).status == 0)
        #expect(alertLines().count == 1)
    }

    @Test func aBadConfigExits78() throws {
        let path = try config("feeds: nope\n")
        #expect(try BinaryRunner.run(["once", "--config", path]).status == 78)
    }
}

/// `feedwatch status` after a poll.
@Suite struct StatusCommandTests {
    @Test func showsEachFeedsHealth() throws {
        let dir = try BinaryRunner.temporaryDirectory()
        let server = try FeedServer()
        try Data("<rss><channel><title>x</title><item><title>t</title></item></channel></rss>".utf8)
            .write(to: dir.appendingPathComponent("local.xml"))
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            feeds:
              - {url: local.xml, name: Local}
              - url: '\(server.url("/missing"))'
            topics:
              all: '*'
            """.utf8).write(to: config)
        let before = try BinaryRunner.run(["status", "--config", config.path])
        #expect(before.status == 0)
        #expect(before.stdout.contains("no feeds in the store yet"))

        #expect(try BinaryRunner.run(["once", "--config", config.path]).status == 2)
        let text = try BinaryRunner.run(["status", "--config", config.path])
        #expect(text.stdout.contains("Local  \(dir.appendingPathComponent("local.xml").absoluteString)\n    ok · last fetch "))
        #expect(text.stdout.contains("1 item seen"))
        #expect(text.stdout.contains("failing (1 in a row)"))
        #expect(text.stdout.contains("error: HTTP 404"))

        let json = try BinaryRunner.run(["status", "--config", config.path, "--json"])
        let lines = json.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let missing = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(missing["status"] as? Int == 404)
        #expect(missing["errors_in_row"] as? Int == 1)
        #expect(missing["gone"] as? Bool == false)
    }
}
