import Foundation
import TestSupport
import Testing
@testable import feedwatch

/// What a person reads on stderr and in alert lines: each cause said once, feeds by their names,
/// plurals right, a summary from every `once`, and a `run` that is quiet while nothing happens.
@Suite struct LogLinesTests {
    private let dir: URL
    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    private func writeConfig(_ feeds: String, interval: String = "1h", sinks: String = "  - file: {path: alerts.jsonl}") throws -> String {
        try Data("""
            <rss version="2.0"><channel><title>Local</title>
            <item><guid>1</guid><title>Police news</title><pubDate>Wed, 10 Jun 2020 20:01:00 GMT</pubDate>
            <link>https://news.example/1?utm_source=rss&amp;utm_medium=feed&amp;id=3</link></item>
            </channel></rss>
            """.utf8).write(to: dir.appendingPathComponent("local.xml"))
        let file = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            first_fetch_window: all
            poll: {interval: \(interval)}
            feeds:
            \(feeds)
            topics:
              police: police
            sinks:
            \(sinks)
            """.utf8).write(to: file)
        return file.path
    }

    @Test func onceSaysEachCauseOnceNamesFeedsAndAlwaysSummarises() throws {
        let server = try FeedServer()
        let config = try writeConfig("""
              - {url: local.xml, name: Local News}
              - {url: '\(server.url("/page"))', name: Broken Page}
              - url: http://127.0.0.1:1/down.xml
            """, sinks: "  - stdout: {format: text}")
        let first = try BinaryRunner.run(["once", "--config", config])
        #expect(first.status == 2)
        let lines = first.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("feedwatch: warning: Broken Page: not a feed: root element <html> is not RSS, RDF or Atom"), "\(lines)")
        let down = try #require(lines.first { $0.contains("down.xml") })
        #expect(down.hasPrefix("feedwatch: warning: http://127.0.0.1:1/down.xml: ") && down.components(separatedBy: "down.xml").count == 2, "\(down)")
        #expect(!first.stderr.contains("not a feed: not a feed"))
        #expect(lines.last == "feedwatch: polled 3 feeds: 1 new item, 1 alert, 2 failed", "\(lines)")
        // The text alert: the item's publication time, its link without tracking parameters.
        #expect(first.stdout == "2020-06-10T20:01:00Z [police] Local News: Police news <https://news.example/1?id=3>\n", "\(first.stdout)")

        // Nothing due: still one line, saying when the next poll is.
        let second = try BinaryRunner.run(["once", "--config", config])
        #expect(second.status == 0)
        #expect(second.stderr.hasPrefix("feedwatch: nothing due: 3 feeds, next poll in "), "\(second.stderr)")
        #expect(second.stderr.hasSuffix(", outbox empty (`feedwatch once --all` polls every feed now)\n"), "\(second.stderr)")
        let third = try BinaryRunner.run(["once", "--all", "--config", config])
        #expect(third.stderr.contains("skipped Broken Page: backing off after 1 failed poll until"), "\(third.stderr)")
    }

    /// A cycle that finds nothing logs at debug only; the first says when the next poll is.
    @Test func runIsQuietWhileNothingHappens() throws {
        let config = try writeConfig("  - url: local.xml", interval: "1s")
        for level in ["info", "debug"] {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("feedwatch.sqlite"))
            let (process, log) = try BinaryRunner.startDaemon(config, in: dir, environment: ["FEEDWATCH_LOG_LEVEL": level])
            Thread.sleep(forTimeInterval: 4)  // three or four cycles of a feed polled every second
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            let text = try String(contentsOf: log, encoding: .utf8)
            let lines = text.split(separator: "\n")
            #expect(lines.first == "feedwatch: started: 1 feed, 1 topic, store \(dir.appendingPathComponent("feedwatch.sqlite").path)", "\(text)")
            #expect(lines.contains { $0.hasPrefix("feedwatch: alerts go to: \(dir.path)/alerts.jsonl") }, "\(text)")
            // Polled every second: the next poll is "now" or "in 1s", whichever the clock says.
            #expect(lines.filter { $0.hasPrefix("feedwatch: polled 1 feed: 1 new item, 1 alert; next poll ") }.count == 1, "\(text)")
            let idle = lines.filter { $0.contains("polled 1 feed: nothing new") }
            if level == "info" {
                #expect(idle.isEmpty, "\(text)")
            } else {
                #expect(!idle.isEmpty && idle.allSatisfy { $0.hasPrefix("feedwatch: debug: ") }, "\(text)")
            }
        }
    }

    @Test func reportLinesReadAsSentences() {
        #expect(CycleReport.heartbeat(feeds: 42, nextPollIn: 230, pending: 0, dead: 0) == "42 feeds, next poll in 4m, outbox empty")
        #expect(CycleReport.heartbeat(feeds: 1, nextPollIn: 0, pending: 3, dead: 1) == "1 feed, next poll now, outbox 3 pending, 1 dead-lettered")
        #expect(CycleReport.rough(59) == "59s" && CycleReport.rough(61) == "2m" && CycleReport.rough(3_600) == "1h"
            && CycleReport.rough(3_661) == "1h2m" && CycleReport.rough(90_000) == "1d1h")
        #expect(URLHost.of("https://user:pw@hooks.slack.com/services/T0/B0/XXXX") == "hooks.slack.com")
    }
}
