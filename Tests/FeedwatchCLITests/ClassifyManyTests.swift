import Foundation
import TestSupport
import Testing

/// Tuning on real data: `classify --feeds` (every configured feed, fetched once, nothing stored)
/// and `classify --stored` (what the store took), marking what would alert and into which story.
@Suite struct ClassifyManyTests {
    private let dir: URL
    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    private static func date(hoursAgo: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: Date(timeIntervalSinceNow: -hoursAgo * 3_600))
    }

    private func writeFeeds() throws {
        let items = [
            ("verge.xml", "The Verge", "IBM will no longer offer general purpose facial recognition software",
             "Arvind Krishna wrote to Congress that IBM opposes mass surveillance and racial profiling.", 30.0),
            ("reuters.xml", "Reuters", "IBM exits facial recognition business, calls for police reform",
             "Krishna's letter to Congress backed police accountability legislation.", 28.0),
            ("bbc.xml", "BBC", "IBM abandons facial recognition products",
             "The company's boss Arvind Krishna says IBM will oppose racial profiling and mass surveillance.", 27.0),
        ]
        for (file, outlet, title, summary, hours) in items {
            try Data(("<rss version=\"2.0\"><channel><title>\(outlet)</title><item><guid>\(file)-1</guid><title>\(title)</title>"
                + "<description>\(summary)</description><pubDate>\(Self.date(hoursAgo: hours))</pubDate></item>"
                + "<item><guid>\(file)-2</guid><title>Weather in \(outlet)'s city</title></item></channel></rss>").utf8)
                .write(to: dir.appendingPathComponent(file))
        }
    }

    /// `state`: the store (default: `feedwatch.sqlite` beside the config).
    private func config(topic: String, state: String? = nil) throws -> String {
        let file = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            \(state.map { "state: \($0)" } ?? "")
            first_fetch_window: all
            feeds:
              - {url: verge.xml, name: The Verge}
              - {url: reuters.xml, name: Reuters}
              - {url: bbc.xml, name: BBC}
              - {url: missing.xml, name: Gone Missing}
            topics:
              t: '\(topic)'
            sinks:
              - file: {path: alerts.jsonl}
            """.utf8).write(to: file)
        return file.path
    }

    @Test func feedsAreClassifiedAndGroupedWithoutTouchingState() throws {
        try writeFeeds()
        let config = try config(topic: "\"facial recognition\"")
        let r = try BinaryRunner.run(["classify", "--config", config, "--feeds"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("The Verge <file://\(dir.path)/verge.xml>: 2 items, 1 would alert\n"), "\(r.stdout)")
        #expect(r.stdout.contains("  [t] IBM exits facial recognition business, calls for police reform  \u{2192} story 1 (3 items)\n"), "\(r.stdout)")
        #expect(r.stdout.contains("Stories, largest first:\n  1. 3 items \"IBM will no longer offer general purpose facial recognition software\" (The Verge, Reuters, BBC)\n"),
                "\(r.stdout)")
        #expect(r.stdout.hasSuffix("3 of 6 items in 3 feeds would alert, in 1 story; 1 not read\n"), "\(r.stdout)")
        #expect(r.stderr.contains("Gone Missing: "), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("feedwatch.sqlite").path), "no state touched")

        let json = try BinaryRunner.run(["classify", "--config", config, "--feeds", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.count == 6)
        let stories = Set(items.compactMap { ($0["story"] as? [String: Any])?["id"] as? String })
        #expect(stories.count == 1 && stories.first!.hasPrefix("st_"))
        #expect(items.filter { $0["story"] is NSNull }.count == 3)
    }

    @Test func storedItemsAreClassifiedWithTheTopicsAsTheyAreNow() throws {
        try storedItemsAreClassified(state: nil)
    }

    /// The same on a fleet's store.
    @Test(.enabled(if: PostgresCluster.skipReason == nil || PostgresCluster.required, Comment(rawValue: PostgresCluster.skipReason ?? "")))
    func storedItemsOnPostgreSQL() throws {
        try storedItemsAreClassified(state: try PostgresCluster.shared.get().createDatabase("classify"))
    }

    private func storedItemsAreClassified(state: String?) throws {
        try writeFeeds()
        let once = try BinaryRunner.run(["once", "--config", try config(topic: "\"facial recognition\"", state: state)])
        #expect(once.status == 2, "\(once.stderr)")  // missing.xml fails
        // A new topic, tried on what the store already holds: the weather items now match.
        let config = try config(topic: "weather", state: state)
        let r = try BinaryRunner.run(["classify", "--config", config, "--stored", "7d"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("  [t] Weather in Reuters's city  \u{2192} story"), "\(r.stdout)")
        #expect(r.stdout.hasSuffix("3 of 6 items in 3 feeds would alert, in 1 story\n"), "\(r.stdout)")
        #expect(try BinaryRunner.run(["classify", "--config", config, "--stored", "soon"]).status == 64)
        #expect(try BinaryRunner.run(["classify", "--config", config, "--feeds", "--stored", "7d"]).status == 64)
        #expect(try BinaryRunner.run(["classify", "--config", config]).status == 64)
    }
}
