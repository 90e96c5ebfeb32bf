import Foundation
import TestSupport
import Testing

/// Feed autodiscovery through the binary: `parse`/`classify` of a web page read the feed it
/// announces; a configured page is polled through its feed; `add` writes the feed into the config.
@Suite struct DiscoveryTests {
    private let dir: URL
    private let server: FeedServer

    init() throws {
        dir = try BinaryRunner.temporaryDirectory()
        server = try FeedServer(arguments: [dir.path])
        // A page well over a kilobyte, as real ones are, announcing its feed in <head>.
        let filler = String(repeating: "<meta name=\"x\" content=\"filler\">\n", count: 60)
        try Data("""
            <!DOCTYPE html><html><head><title>City Desk</title>
            \(filler)<link rel="alternate" type="application/rss+xml" title="City Desk" href="/files/feed.xml">
            </head><body><p>News.</p></body></html>
            """.utf8).write(to: dir.appendingPathComponent("site.html"))
        try Data("""
            <rss version="2.0"><channel><title>City Desk</title>
            <item><guid>1</guid><title>Police chief resigns</title><link>https://citydesk.example/1</link></item>
            <item><guid>2</guid><title>Weather</title></item>
            </channel></rss>
            """.utf8).write(to: dir.appendingPathComponent("feed.xml"))
    }

    private func config(_ feeds: String) throws -> String {
        let file = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            # Following the city.
            first_fetch_window: all
            feeds:
            \(feeds)
            topics:
              police: police   # the beat
            sinks:
              - file: {path: alerts.jsonl}
            """.utf8).write(to: file)
        return file.path
    }

    @Test func parseAndClassifyOfAPageReadItsFeed() throws {
        let page = server.url("/files/site.html")
        let parsed = try BinaryRunner.run(["parse", page])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        #expect(parsed.stderr == "feedwatch: \(page) is a web page; reading the feed it announces: \(server.url("/files/feed.xml"))\n")
        #expect(parsed.stdout.contains("\"title\":\"Police chief resigns\"") || parsed.stdout.contains("\"title\": \"Police chief resigns\""))
        let config = try config("  - url: https://unused.example/feed")
        let classified = try BinaryRunner.run(["classify", "--config", config, page, "--format", "json"])
        #expect(classified.status == 0, "\(classified.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(classified.stdout.utf8)) as? [String: Any])
        let items = try #require(json["items"] as? [[String: Any]])
        #expect(items.map { $0["topics"] as? [String] ?? [] } == [["police"], []], "\(classified.stdout)")
        // A page that announces nothing is still not a feed.
        try Data("<!DOCTYPE html><html><head></head><body>x</body></html>".utf8).write(to: dir.appendingPathComponent("plain.html"))
        #expect(try BinaryRunner.run(["parse", server.url("/files/plain.html")]).status == 65)
    }

    @Test func aConfiguredPageIsPolledThroughItsFeed() throws {
        let config = try config("  - {url: '\(server.url("/files/site.html"))', name: City Desk}")
        let first = try BinaryRunner.run(["once", "--config", config])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("City Desk: \(server.url("/files/site.html")) is a web page; polling the feed it announces from the next poll on: \(server.url("/files/feed.xml"))"),
                "\(first.stderr)")
        let second = try BinaryRunner.run(["once", "--config", config])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("polled 1 feed: 2 new items, 1 alert"), "\(second.stderr)")
        let alerts = try String(contentsOf: dir.appendingPathComponent("alerts.jsonl"), encoding: .utf8)
        #expect(alerts.contains("Police chief resigns"))
        #expect(server.requests.contains { $0.hasPrefix("GET /files/feed.xml") })
    }

    @Test func addWritesTheAnnouncedFeedIntoTheConfig() throws {
        let config = try config("  - url: https://a.example/feed   # the first")
        let added = try BinaryRunner.run(["add", "--config", config, server.url("/files/site.html")])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stderr.contains("added City Desk <\(server.url("/files/feed.xml"))> to \(config)"), "\(added.stderr)")
        let text = try String(contentsOfFile: config, encoding: .utf8)
        #expect(text == """
            # Following the city.
            first_fetch_window: all
            feeds:
              - url: https://a.example/feed   # the first
              - {url: '\(server.url("/files/feed.xml"))', name: 'City Desk'}
            topics:
              police: police   # the beat
            sinks:
              - file: {path: alerts.jsonl}
            """)
        #expect(try BinaryRunner.run(["check-config", "--config", config]).status == 0)
        let again = try BinaryRunner.run(["add", "--config", config, server.url("/files/feed.xml")])
        #expect(again.status == 0 && again.stderr.contains("is already in"), "\(again.stderr)")
        #expect(try String(contentsOfFile: config, encoding: .utf8) == text)
        let notAFeed = try BinaryRunner.run(["add", "--config", config, server.url("/page")])
        #expect(notAFeed.status == 65 && notAFeed.stderr.contains("announces no feed"), "\(notAFeed.stderr)")
    }
}
