import Foundation
import TestSupport
import Testing

/// Stories through the real binary: three outlets' feeds on the loopback server carrying
/// overlapping coverage of two events, a one-off, and a syndicated copy; sinks with each story
/// policy; `feedwatch stories` over the store; a second process continuing the same stories.
@Suite struct StoriesCommandTests {
    private let dir: URL
    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    /// RFC 822 dates `hoursAgo` before now: the grouping's window runs on publication times.
    private static func date(hoursAgo: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: Date(timeIntervalSinceNow: -hoursAgo * 3_600))
    }

    private struct Item {
        var guid: String, title: String, summary: String, link: String, hoursAgo: Double
    }

    private func write(_ name: String, outlet: String, _ items: [Item]) throws {
        let body = items.map { i in
            "<item><guid isPermaLink=\"false\">\(i.guid)</guid><title>\(i.title)</title><description>\(i.summary)</description>"
                + "<link>\(i.link)</link><pubDate>\(Self.date(hoursAgo: i.hoursAgo))</pubDate></item>"
        }.joined()
        let rss = "<rss version=\"2.0\"><channel><title>\(outlet)</title>\(body)</channel></rss>"
        try Data(rss.utf8).write(to: dir.appendingPathComponent(name))
    }

    private func lines(_ name: String) -> [[String: Any]] {
        ((try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    private static func story(_ record: [String: Any]) -> (id: String, size: Int)? {
        guard let s = record["story"] as? [String: Any], let id = s["id"] as? String, let size = s["size"] as? Int else { return nil }
        return (id, size)
    }

    private static func title(_ record: [String: Any]) -> String { ((record["item"] as? [String: Any])?["title"] as? String) ?? "" }

    private static let ibm = [
        Item(guid: "v1", title: "IBM will no longer offer general purpose facial recognition software",
             summary: "Arvind Krishna wrote to Congress that IBM opposes mass surveillance and racial profiling.",
             link: "https://verge.example/ibm-quits", hoursAgo: 30),
        Item(guid: "r1", title: "IBM exits facial recognition business, calls for police reform",
             summary: "Krishna's letter to Congress backed police accountability legislation.",
             link: "https://reuters.example/ibm-exits", hoursAgo: 28),
        Item(guid: "b1", title: "IBM abandons facial recognition products",
             summary: "The company's boss Arvind Krishna says IBM will oppose racial profiling and mass surveillance.",
             link: "https://bbc.example/ibm", hoursAgo: 27),
    ]
    private static let amazon = [
        Item(guid: "v2", title: "Amazon bans police use of its Rekognition facial recognition for a year",
             summary: "Amazon announced a one-year moratorium on police use of Rekognition.",
             link: "https://verge.example/amazon-pause", hoursAgo: 6),
        Item(guid: "r2", title: "Amazon pauses police use of Rekognition facial recognition software",
             summary: "The one-year moratorium on Rekognition follows criticism of its accuracy.",
             link: "https://reuters.example/amazon", hoursAgo: 5),
    ]

    @Test func coverageIsGroupedAndEachPolicyHearsWhatItShould() throws {
        let server = try FeedServer(arguments: [dir.path])
        try write("verge.xml", outlet: "The Verge", [Self.ibm[0], Self.amazon[0],
            Item(guid: "v3", title: "How facial recognition works, explained",
                 summary: "A primer on face detection, matching and error rates.", link: "https://verge.example/explainer", hoursAgo: 3)])
        try write("reuters.xml", outlet: "Reuters", [Self.ibm[1], Self.amazon[1]])
        // The BBC feed, and an aggregator carrying The Verge's IBM article under a tracking link.
        try write("bbc.xml", outlet: "BBC", [Self.ibm[2]])
        try write("aggregator.xml", outlet: "Aggregator", [
            Item(guid: "agg-1", title: Self.ibm[0].title, summary: Self.ibm[0].summary,
                 link: Self.ibm[0].link + "?utm_source=aggregator&utm_medium=rss", hoursAgo: 29)])
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            first_fetch_window: all
            feeds:
              - {url: '\(server.url("/files/verge.xml"))', name: The Verge}
              - {url: '\(server.url("/files/reuters.xml"))', name: Reuters}
              - {url: '\(server.url("/files/bbc.xml"))', name: BBC}
              - {url: '\(server.url("/files/aggregator.xml"))', name: Aggregator}
            topics:
              facial-recognition: '"facial recognition"'
            sinks:
              - file: {path: every.jsonl}
              - file: {path: first.jsonl, stories: first}
              - file: {path: milestones.jsonl, stories: milestones}
              - digest: {path: digest.log}
            """.utf8).write(to: config)

        let first = try BinaryRunner.run(["once", "--config", config.path])
        #expect(first.status == 0, "\(first.stderr)")
        let every = lines("every.jsonl")
        // Seven items, one of them a copy: six alerts.
        #expect(every.count == 6, "\(every.map(Self.title))")
        let ibmStories = Set(every.filter { Self.title($0).hasPrefix("IBM") }.compactMap { Self.story($0)?.id })
        let amazonStories = Set(every.filter { Self.title($0).hasPrefix("Amazon") }.compactMap { Self.story($0)?.id })
        #expect(ibmStories.count == 1 && amazonStories.count == 1 && ibmStories != amazonStories)
        let explainer = try #require(every.first { Self.title($0).contains("explained") })
        #expect(Self.story(explainer)?.size == 1 && !ibmStories.contains(Self.story(explainer)!.id))
        // Running sizes, in the order the items were stored.
        #expect(every.filter { Self.title($0).hasPrefix("IBM") }.compactMap { Self.story($0)?.size }.sorted() == [1, 2, 3])
        // first: one alert per story; milestones: the first, then the third IBM item.
        #expect(lines("first.jsonl").count == 3)
        #expect(Set(lines("first.jsonl").compactMap { Self.story($0)?.size }) == [1])
        #expect(lines("milestones.jsonl").compactMap { Self.story($0)?.size }.sorted() == [1, 1, 1, 3])
        let digest = try String(contentsOf: dir.appendingPathComponent("digest.log"), encoding: .utf8)
        // Where a line belongs: the story's size and the outlet that published its earliest item
        // (The Verge, 30 hours before the run), nothing for a story of one.
        #expect(digest.contains("BBC: IBM abandons facial recognition products <https://bbc.example/ibm> (story of 3 · first: The Verge, "),
                "\(digest)")
        #expect(digest.contains("How facial recognition works, explained <https://verge.example/explainer>\n"), "\(digest)")

        // `stories --json`: largest first, items with their copies.
        let listed = try BinaryRunner.run(["stories", "--json", "--since", "7d", "--config", config.path])
        #expect(listed.status == 0, "\(listed.stderr)")
        let stories = listed.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(stories.count == 3)
        let top = try #require(stories.first)
        #expect(Set(top.keys) == ["id", "title", "size", "first_seen", "last_seen", "first_published", "last_published", "outlets",
                                  "topics", "items"])
        // One face: the title of its earliest-published item, items in publication order, the
        // published span, three outlets for three items.
        #expect(top["title"] as? String == Self.ibm[0].title && top["outlets"] as? Int == 3)
        #expect(((top["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == ["v1", "r1", "b1"])
        #expect((top["first_published"] as? String ?? "") < (top["last_published"] as? String ?? ""))
        #expect(top["size"] as? Int == 3 && ibmStories.contains(top["id"] as? String ?? ""))
        #expect(top["topics"] as? [String] == ["facial-recognition"])
        let items = try #require(top["items"] as? [[String: Any]])
        #expect(items.count == 3)
        #expect(Set(items.first!.keys) == ["feed", "id", "title", "link", "published", "duplicates"])
        let verge = try #require(items.first { ($0["feed"] as? String)?.hasSuffix("verge.xml") == true })
        #expect(verge["id"] as? String == "v1")
        let copies = try #require(verge["duplicates"] as? [[String: Any]])
        #expect(copies.count == 1)
        #expect((copies.first?["feed"] as? String)?.hasSuffix("aggregator.xml") == true)
        #expect((copies.first?["link"] as? String)?.contains("utm_source=aggregator") == true)
        #expect(stories.map { $0["size"] as? Int ?? 0 } == [3, 2, 1])
        let one = try BinaryRunner.run(["stories", "--json", "--since", "7d", "--limit", "1", "--config", config.path])
        #expect(one.stdout.split(separator: "\n").count == 1 && one.stdout.contains(#""size":3"#))

        let text = try BinaryRunner.run(["stories", "--since", "7d", "--config", config.path])
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("3 items  \"IBM"))
        #expect(text.stdout.contains("also in Aggregator <https://verge.example/ibm-quits?utm_source=aggregator&utm_medium=rss>"))

        // A later process (the index rebuilt from the store) continues the stories: a fourth IBM
        // item, then a fifth — the fifth is a milestone.
        try write("bbc.xml", outlet: "BBC", [Self.ibm[2],
            Item(guid: "b2", title: "IBM gets out of the facial recognition business",
                 summary: "Arvind Krishna told Congress IBM opposes mass surveillance.", link: "https://bbc.example/ibm-2", hoursAgo: 2)])
        #expect(try BinaryRunner.run(["once", "--all", "--config", path(config)]).status == 0)
        try write("reuters.xml", outlet: "Reuters", [Self.ibm[1], Self.amazon[1],
            Item(guid: "r3", title: "IBM ends facial recognition business as Krishna calls out racial profiling",
                 summary: "IBM's chief executive wrote to Congress.", link: "https://reuters.example/ibm-ends", hoursAgo: 1)])
        #expect(try BinaryRunner.run(["once", "--all", "--config", path(config)]).status == 0)
        let later = lines("every.jsonl").dropFirst(6)
        #expect(later.map { Self.story($0)?.id ?? "" } == Array(repeating: ibmStories.first!, count: 2))
        #expect(later.compactMap { Self.story($0)?.size } == [4, 5])
        #expect(lines("first.jsonl").count == 3)
        #expect(lines("milestones.jsonl").compactMap { Self.story($0)?.size }.sorted() == [1, 1, 1, 3, 5])
    }

    private func path(_ url: URL) -> String { url.path }

    /// The daemon keeps its index across cycles: coverage arriving in a later cycle joins the
    /// story, and an exec sink with `stories: milestones` hears of it when it reaches three.
    @Test func theDaemonContinuesStoriesAcrossCycles() throws {
        try write("verge.xml", outlet: "The Verge", [Self.ibm[0]])
        try write("reuters.xml", outlet: "Reuters", [Self.ibm[1]])
        try write("bbc.xml", outlet: "BBC", [])
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            first_fetch_window: all
            poll: {interval: 1s}
            feeds:
              - {url: verge.xml, name: The Verge}
              - {url: reuters.xml, name: Reuters}
              - {url: bbc.xml, name: BBC}
            topics:
              facial-recognition: '"facial recognition"'
            sinks:
              - file: {path: every.jsonl}
              - exec: {command: [/bin/sh, -c, 'cat >> milestones.jsonl; echo >> milestones.jsonl'], stories: milestones}
            """.utf8).write(to: config)
        let process = Process()
        process.executableURL = BinaryRunner.binary
        process.arguments = ["run", "--config", config.path]
        process.currentDirectoryURL = dir
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        func waitFor(_ what: String, _ condition: () -> Bool) throws {
            for _ in 0..<100 where !condition() { Thread.sleep(forTimeInterval: 0.1) }
            try #require(condition(), "timed out waiting for \(what)")
        }
        try waitFor("two alerts") { lines("every.jsonl").count == 2 }
        try write("bbc.xml", outlet: "BBC", [Self.ibm[2]])
        try waitFor("the third alert") { lines("every.jsonl").count == 3 }
        try waitFor("the milestone") { lines("milestones.jsonl").count == 2 }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let every = lines("every.jsonl")
        #expect(Set(every.compactMap { Self.story($0)?.id }).count == 1)
        #expect(every.compactMap { Self.story($0)?.size } == [1, 2, 3])
        #expect(lines("milestones.jsonl").compactMap { Self.story($0)?.size } == [1, 3])
    }

    @Test func checkConfigShowsTheStorySettings() throws {
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            feeds: []
            topics: {t: x}
            stories: {window: 48h, threshold: 0.2}
            sinks:
              - file: {path: a.jsonl, stories: first}
              - webhook: {url: 'https://h.example/x', stories: milestones}
            """.utf8).write(to: config)
        let r = try BinaryRunner.run(["check-config", "--config", config.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("stories: items within 2d of each other can join one story, threshold 0.2\n"))
        #expect(r.stdout.contains("a.jsonl  (first alert of each story)\n"))
        #expect(r.stdout.contains("(stories at 1, 3, 5, 10, 25 items)"))
    }

    @Test func storiesRefusesABadSince() throws {
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("feeds: []\ntopics: {}\n".utf8).write(to: config)
        let bad = try BinaryRunner.run(["stories", "--since", "soon", "--config", config.path])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("not a duration"))
        let empty = try BinaryRunner.run(["stories", "--config", config.path])
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout == "no stories in the last 24h\n")
    }

    /// `stories explain`: the first item started the story, the others joined with a score at or
    /// above the threshold and name the words they share; an unknown id exits 1.
    @Test func explainSaysWhyEachItemIsInTheStory() throws {
        try write("feed.xml", outlet: "Beat", Self.ibm + Self.amazon)
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            state: \(dir.appendingPathComponent("s.sqlite").path)
            first_fetch_window: all
            feeds:
              - {url: \(dir.appendingPathComponent("feed.xml").path)}
            topics:
              fr: '"facial recognition"'
            """.utf8).write(to: config)
        #expect(try BinaryRunner.run(["once", "--config", config.path]).status == 0)
        let listed = try BinaryRunner.run(["stories", "--json", "--since", "7d", "--config", config.path])
        let ids = try listed.stdout.split(separator: "\n").compactMap { line -> (String, Int)? in
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = o["id"] as? String, let size = o["size"] as? Int else { return nil }
            return (id, size)
        }
        let ibm = try #require(ids.first { $0.1 == 3 })
        let r = try BinaryRunner.run(["stories", "explain", ibm.0, "--config", config.path])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(r.stdout)")
        #expect(lines[1].hasPrefix("    started the story"), "\(r.stdout)")
        for why in [lines[3], lines[5]] {
            #expect(why.hasPrefix("    joined: score ") && why.contains(" ≥ 0.120") && why.contains("shares ") && why.contains("ibm "), "\(why)")
        }
        let unknown = try BinaryRunner.run(["stories", "explain", "st_nope", "--config", config.path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no story st_nope"))
    }
}
