import Foundation
import TestSupport
import Testing

/// `feedwatch run` as a process: it polls, reloads on SIGHUP, stops cleanly on SIGTERM.
@Suite struct RunCommandTests {
    @Test func pollsReloadsAndStopsCleanly() throws {
        let dir = try BinaryRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("""
            <rss version="2.0"><channel><title>Local</title>
            <item><guid>1</guid><title>Police news</title></item>
            <item><guid>2</guid><title>IBM news</title></item>
            </channel></rss>
            """.utf8).write(to: dir.appendingPathComponent("local.xml"))
        let config = dir.appendingPathComponent("feedwatch.yaml")
        func write(_ topics: String) throws {
            try Data("""
                first_fetch_window: all
                poll: {interval: 1s}
                feeds:
                  - url: local.xml
                topics:
                \(topics)
                sinks:
                  - file: {path: alerts.jsonl}
                """.utf8).write(to: config)
        }
        try write("  police: police")

        let process = Process()
        process.executableURL = BinaryRunner.binary
        process.arguments = ["run", "--config", config.path]
        let stderr = dir.appendingPathComponent("stderr")
        try Data().write(to: stderr)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        func alerts() -> String { (try? String(contentsOf: dir.appendingPathComponent("alerts.jsonl"), encoding: .utf8)) ?? "" }
        func log() -> String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
        func waitFor(_ what: String, _ condition: () -> Bool) throws {
            for _ in 0..<100 where !condition() { Thread.sleep(forTimeInterval: 0.1) }
            try #require(condition(), "timed out waiting for \(what); log:\n\(log())")
        }

        try waitFor("the first alert") { alerts().contains("Police news") }
        #expect(!alerts().contains("IBM news"))

        // A broken config on SIGHUP keeps the old one running.
        try Data("topics: [\n".utf8).write(to: config)
        kill(process.processIdentifier, SIGHUP)
        try waitFor("the failed reload") { log().contains("reload failed") }
        #expect(process.isRunning)

        // A good one takes effect for items that arrive after it (stored items are judged once,
        // when new): the next new item matches the new topic.
        try write("  police: police\n  ibm: IBM")
        kill(process.processIdentifier, SIGHUP)
        try waitFor("the reload") { log().contains("reloaded") }
        try Data("""
            <rss version="2.0"><channel><title>Local</title>
            <item><guid>1</guid><title>Police news</title></item>
            <item><guid>2</guid><title>IBM news</title></item>
            <item><guid>3</guid><title>More IBM news</title></item>
            </channel></rss>
            """.utf8).write(to: dir.appendingPathComponent("local.xml"))
        try waitFor("the new item's alert") { alerts().contains("More IBM news") }

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(log().contains("stopping on SIGTERM"))
        #expect(alerts().split(separator: "\n").count == 2)
    }

    @Test func sigtermDuringAPollStopsWithinTheGracePeriod() throws {
        let server = try FeedServer()
        let dir = try BinaryRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            poll: {timeout: 60s}
            feeds:
              - url: '\(server.url("/drip"))'
            topics:
              all: '*'
            """.utf8).write(to: config)
        let process = Process()
        process.executableURL = BinaryRunner.binary
        process.arguments = ["run", "--config", config.path]
        process.standardOutput = FileHandle.nullDevice
        let stderr = dir.appendingPathComponent("stderr")
        try Data().write(to: stderr)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        for _ in 0..<50 where !server.requests.contains(where: { $0.contains("/drip") }) { Thread.sleep(forTimeInterval: 0.1) }
        let start = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // The drip would have taken until the low-speed cut-off (30 s); the grace is 5 s.
        #expect(Date().timeIntervalSince(start) < 9)
        #expect(((try? String(contentsOf: stderr, encoding: .utf8)) ?? "").contains("1 cut short by the stop (still due)"))
        // An interrupted poll is not a failure of the feed: status shows it never polled.
        let status = try BinaryRunner.run(["status", "--config", config.path])
        #expect(status.stdout.contains("never polled"))
    }
}
