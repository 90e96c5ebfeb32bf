import Foundation
import TestSupport
import Testing

/// `feedwatch migrate-store` through the binary: an installation's SQLite store moved into
/// PostgreSQL alerts nothing again, and what arrives after the move alerts once.
@Suite struct MigrateStoreTests {
    private let dir: URL

    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    private func feed(_ titles: [String]) throws {
        let items = titles.enumerated().map { "<item><guid>g\($0.offset)</guid><title>\($0.element)</title><link>https://news.example/\($0.offset)</link></item>" }
        try Data("<rss version=\"2.0\"><channel><title>Local</title>\(items.joined())</channel></rss>".utf8)
            .write(to: dir.appendingPathComponent("local.xml"))
    }

    private func config(state: String, name: String) throws -> String {
        let file = dir.appendingPathComponent(name)
        try Data("""
            state: \(state)
            first_fetch_window: all
            feeds:
              - url: local.xml
            topics:
              police: police
            sinks:
              - file: {path: \(dir.appendingPathComponent("alerts.jsonl").path)}
              - webhook: {url: "http://127.0.0.1:9/never", name: hook}
            """.utf8).write(to: file)
        return file.path
    }

    private var alertLines: [String] {
        ((try? String(contentsOf: dir.appendingPathComponent("alerts.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test(.enabled(if: PostgresCluster.skipReason == nil || PostgresCluster.required, Comment(rawValue: PostgresCluster.skipReason ?? "")))
    func aMovedStoreAlertsNothingAgain() throws {
        let uri = try PostgresCluster.shared.get().createDatabase("migrate")
        let sqlite = try config(state: dir.appendingPathComponent("state.sqlite").path, name: "sqlite.yaml")
        let postgres = try config(state: uri, name: "postgres.yaml")
        try feed(["Police report one", "Police report two", "Weather"])
        var result = try BinaryRunner.run(["once", "--config", sqlite])
        // The webhook's receiver is not there: its alerts wait in its queue (failing, not lost).
        #expect(result.status == 0, "\(result.stderr)")
        #expect(alertLines.count == 2)

        // A story muted by hand: the mute moves with the store.
        let story = try #require(String(try BinaryRunner.run(["stories", "--json", "--config", sqlite]).stdout.split(separator: "\n").first ?? "")
            .components(separatedBy: "\"id\":\"").dropFirst().first?.components(separatedBy: "\"").first)
        #expect(try BinaryRunner.run(["stories", "mute", story, "--config", sqlite]).status == 0)

        result = try BinaryRunner.run(["migrate-store", "--config", sqlite, "--to", uri])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1 feeds, 3 items") && result.stdout.contains("2 alerts"), "\(result.stdout)")
        // Into a database that holds a store already: refused.
        result = try BinaryRunner.run(["migrate-store", "--config", sqlite, "--to", uri])
        #expect(result.status == 1 && result.stderr.contains("already holds a store"))

        // On PostgreSQL now: the same items are not new, a new one alerts once.
        result = try BinaryRunner.run(["once", "--all", "--config", postgres])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(alertLines.count == 2)
        try feed(["Police report one", "Police report two", "Weather", "Police report three"])
        result = try BinaryRunner.run(["once", "--all", "--config", postgres])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(alertLines.count == 3 && alertLines.last?.contains("Police report three") == true)
        // The webhook's queue moved with its place: all three alerts still wait for it.
        result = try BinaryRunner.run(["outbox", "--json", "--config", postgres])
        #expect(result.stdout.contains("\"pending\":3"), "\(result.stdout)")
        let unmuted = try BinaryRunner.run(["stories", "unmute", story, "--config", postgres])
        #expect(unmuted.status == 0 && unmuted.stdout == "unmuted \(story)\n", "the mute did not move: \(unmuted.stderr)")
        let status = try BinaryRunner.run(["status", "--json", "--config", postgres])
        #expect(status.stdout.contains("\"items_seen\":4") && status.stdout.contains("\"node\":null"), "\(status.stdout)")
    }
}
