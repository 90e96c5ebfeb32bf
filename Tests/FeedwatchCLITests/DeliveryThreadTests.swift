import Foundation
import TestSupport
import Testing

/// Delivery runs on its own thread, through the real binary: a sink that takes its time never
/// holds up polling.
@Suite struct DeliveryThreadTests {
    private let dir: URL

    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    private func feed(_ titles: [String]) throws {
        let items = titles.enumerated().map { "<item><guid>g\($0)</guid><title>\($1)</title><link>https://news.example/\($0)</link></item>" }
        try Data("<rss version=\"2.0\"><channel><title>Local</title>\(items.joined())</channel></rss>".utf8)
            .write(to: dir.appendingPathComponent("local.xml"))
    }

    private func waitFor(_ what: String, seconds: Double = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !(try condition()) && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        try #require(try condition(), "timed out waiting for \(what)")
    }

    /// While an exec command hangs on the first alert, the daemon goes on polling: the feed's
    /// next item is stored and queued within seconds, not after the command's timeout.
    @Test func aSlowSinkNeverDelaysAPoll() throws {
        try feed(["Police report one"])
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            state: \(path("state.sqlite"))
            first_fetch_window: all
            poll: {interval: 1s, timeout: 5s}
            feeds:
              - url: local.xml
            topics:
              police: police
            sinks:
              - exec: {command: [sh, -c, 'touch \(path("started")); sleep 60'], timeout: 90s}
              - file: {path: \(path("alerts.jsonl"))}
            """.utf8).write(to: config)
        let (run, log) = try BinaryRunner.startDaemon(config.path, in: dir)
        defer {
            if run.isRunning { kill(run.processIdentifier, SIGKILL) }
            run.waitUntilExit()
        }
        try waitFor("the exec sink to start") { FileManager.default.fileExists(atPath: path("started")) }
        try feed(["Police report one", "Police report two"])
        // The second alert is stored by a poll while the exec sink still holds the first.
        func pending() throws -> String { try BinaryRunner.run(["outbox", "--config", config.path]).stdout }
        try waitFor("the second alert to be stored while the command runs", seconds: 15) { try pending().contains("2 pending") }
        #expect(run.isRunning)
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(!text.contains("error"), "\(text)")
        kill(run.processIdentifier, SIGTERM)
        let start = Date()
        while run.isRunning && Date().timeIntervalSince(start) < 20 { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!run.isRunning)
    }
}
