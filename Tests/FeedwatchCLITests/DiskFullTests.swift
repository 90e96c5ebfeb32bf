import Foundation
import TestSupport
import Testing

/// The promises when the disk fills, through the real binary on a small filesystem of the test's
/// own that it fills to the last byte: no alert lost, none delivered twice, no JSON Lines line
/// broken, nothing stored lost — for the file and digest sinks, the SQLite store and a PostgreSQL
/// server whose data directory fills. Skipped (with the reason) when not root, never under CI.
@Suite(.serialized) final class DiskFullTests {
    static let enabled = ScratchFilesystem.skipReason == nil || ScratchFilesystem.required
    static let postgres = enabled && (PostgresCluster.skipReason == nil || PostgresCluster.required)

    private let dir: URL

    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    deinit { try? FileManager.default.removeItem(at: dir) }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// A local RSS feed of items `0..<count` whose titles match the topic `police`; written
    /// atomically (a running daemon may read it at any moment), with `padding` bytes of summary
    /// in the items past the first 20 (so those read as before, unchanged).
    private func feed(count: Int, padding: Int = 0) throws {
        let pad = String(repeating: "word ", count: padding / 5)
        var xml = "<rss version=\"2.0\"><channel><title>Local News</title>"
        for i in 0..<count {
            xml += "<item><guid>g\(i)</guid><title>Police report \(i)</title><link>https://news.example/\(i)</link>"
                + "<description>Report \(i) on the police.\(i < 20 ? "" : " " + pad)</description></item>"
        }
        try Data((xml + "</channel></rss>").utf8).write(to: dir.appendingPathComponent("local.xml.tmp"))
        _ = rename(path("local.xml.tmp"), path("local.xml"))
    }

    private func config(state: String, interval: String = "1h", sinks: String) throws -> String {
        let file = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            state: \(state)
            first_fetch_window: all
            poll: {interval: \(interval), timeout: 5s}
            feeds:
              - url: \(path("local.xml"))
            topics:
              police: police
            sinks:
            \(sinks)
            """.utf8).write(to: file)
        return file.path
    }

    private func waitFor(_ what: String, seconds: Double, log: URL? = nil, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        try #require(try condition(), "timed out waiting for \(what)\(log.map { ": " + text($0).suffix(3_000) } ?? "")")
    }

    private func text(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }

    /// The `alert_id` of every line of a JSON Lines file; fails on a line that is not one whole
    /// JSON object, and on a last line without its newline.
    private func alertIDs(_ file: String) -> [String] {
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
        if let last = bytes.last { #expect(last == 0x0A, "\(file) ends in a torn line") }
        return bytes.split(separator: 0x0A).compactMap { line in
            let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(String(decoding: line.prefix(120), as: UTF8.self))")
            return object?["alert_id"] as? String
        }
    }

    /// How many whole lines a file has now, without judging them: what a wait polls while a sink
    /// may be in the middle of a write.
    private func wholeLines(_ file: String) -> Int {
        ((try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    /// The report numbers of a digest's alert lines; fails on any line that is not one whole
    /// alert line or summary line.
    private func digestReports(_ file: String) -> [Int] {
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
        if let last = bytes.last { #expect(last == 0x0A, "\(file) ends in a torn line") }
        let line = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[police\] Local News: Police report (\d+) <https://news\.example/(\d+)>$/#
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { text in
            if text.hasPrefix("== summary") || text.hasPrefix("   ") { return nil }
            guard let match = try? line.wholeMatch(in: text), match.1 == match.2, let n = Int(match.1) else {
                Issue.record("not a whole digest line: \(text.prefix(160))")
                return nil
            }
            return n
        }
    }

    private func sqlite(_ database: String, _ query: String) throws -> String {
        let result = try BinaryRunner.runProcess("/usr/bin/env", ["python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('\\n'.join(str(r[0]) for r in c.execute(sys.argv[2])))",
            database, query])
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Each stored item's feed and key, with its text's hash: an item lost or changed shows.
    private func storedItems(_ database: String) throws -> Set<Substring> {
        Set(try sqlite(database, "SELECT feed_id || ':' || entry_key || ':' || content_hash FROM items").split(separator: "\n"))
    }

    private func stop(_ run: Process) {
        guard run.isRunning else { return }
        kill(run.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while run.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if run.isRunning { kill(run.processIdentifier, SIGKILL) }
        run.waitUntilExit()
    }

    /// `run` with a `file` and a `digest` sink, each on a filesystem that fills mid-batch: the
    /// daemon keeps running and logs which sink failed and why; once space is freed, every alert
    /// is in both files exactly once and every line is whole.
    @Test(.enabled(if: enabled, Comment(rawValue: ScratchFilesystem.skipReason ?? "")), .timeLimit(.minutes(2)))
    func fileAndDigestSinksOnAFullDiskDeliverEachAlertOnceWhenSpaceReturns() throws {
        // A filesystem each: neither sink can leave the other no room at all — both must meet
        // the full disk in the middle of a write.
        let jsonl = try ScratchFilesystem(megabytes: 4), log = try ScratchFilesystem(megabytes: 4)
        defer { jsonl.unmount(); log.unmount() }
        let count = 2_000
        try feed(count: count)
        let alerts = jsonl.path + "/alerts.jsonl", digest = log.path + "/digest.log"
        let config = try config(state: path("state.sqlite"), sinks: """
              - file: {path: \(alerts)}
              - digest: {path: \(digest), every: 1h}
            """)
        // Room for part of a batch (500 alerts: ~170 KB of records, ~45 KB of digest lines).
        try jsonl.fill(leaving: 96 * 1_024)
        try log.fill(leaving: 24 * 1_024)
        let (run, runLog) = try BinaryRunner.startDaemon(config, in: dir)
        defer { stop(run) }
        try waitFor("both sinks to fail on the full disk", seconds: 30, log: runLog) {
            text(runLog).contains("cannot write to \(alerts): No space left on device")
                && text(runLog).contains("cannot write to \(digest): No space left on device")
        }
        #expect(run.isRunning, "the daemon stopped on a full disk: \(text(runLog).suffix(2_000))")
        let partial = alertIDs(alerts)
        #expect(partial.count < count && Set(partial).count == partial.count, "\(partial.count) lines before space was freed")
        let partialDigest = digestReports(digest)
        #expect(partialDigest.count < count && Set(partialDigest).count == partialDigest.count)

        jsonl.free()
        log.free()
        try waitFor("every alert in both files once space is back", seconds: 60, log: runLog) {
            wholeLines(alerts) >= count && wholeLines(digest) >= count
        }
        Thread.sleep(forTimeInterval: 0.5)  // nothing more is written: no alert a second time
        let ids = alertIDs(alerts)
        #expect(ids.count == count && Set(ids).count == count, "\(ids.count) lines, \(Set(ids).count) alerts")
        let reports = digestReports(digest)
        #expect(reports.count == count && Set(reports) == Set(0..<count), "\(reports.count) lines, \(Set(reports).count) alerts")
        #expect(run.isRunning)
        stop(run)
        #expect(run.terminationStatus == 0)
    }

    /// The SQLite store on a filesystem that fills while `run` has it open: the cycle fails with
    /// an error that says so, the daemon goes on, what was stored stays intact (`PRAGMA
    /// integrity_check`), and once space is freed the next cycle stores and alerts each new item
    /// exactly once. A process that opens the store on a full disk refuses, saying why.
    @Test(.enabled(if: enabled, Comment(rawValue: ScratchFilesystem.skipReason ?? "")), .timeLimit(.minutes(2)))
    func theSQLiteStoreOnAFullDiskFailsCleanlyAndLosesNothing() throws {
        let fs = try ScratchFilesystem(megabytes: 24)
        defer { fs.unmount() }
        let state = fs.path + "/state.sqlite"
        let alerts = path("alerts.jsonl")
        let config = try config(state: state, interval: "1s", sinks: "  - file: {path: \(alerts)}")
        try feed(count: 20)
        let (run, log) = try BinaryRunner.startDaemon(config, in: dir)
        defer { stop(run) }
        try waitFor("the first alerts", seconds: 30, log: log) { wholeLines(alerts) >= 20 }
        let before = try storedItems(state)

        // Far more than the write-ahead log's room: the cycle must grow files on the full disk.
        try fs.fill()
        // (~2 KB an item and again in its alert record: ~4 MB, twice over with the log's copy.)
        let count = 1_000
        try feed(count: count, padding: 1_000)
        try waitFor("the cycle to fail on the full disk", seconds: 30, log: log) {
            text(log).contains("database or disk is full (No space left on device)")
        }
        Thread.sleep(forTimeInterval: 2)  // a few more cycles against the full disk
        #expect(run.isRunning, "the daemon stopped on a full disk: \(text(log).suffix(2_000))")
        let midway = alertIDs(alerts)
        #expect(Set(midway).count == midway.count)

        fs.free()
        #expect(try sqlite(state, "PRAGMA integrity_check") == "ok")
        #expect(try storedItems(state).isSuperset(of: before), "items stored before the disk filled are gone")
        try waitFor("every alert once space is back", seconds: 60, log: log) { wholeLines(alerts) >= count }
        Thread.sleep(forTimeInterval: 2)  // another cycle or two: nothing alerts again
        stop(run)
        #expect(run.terminationStatus == 0)
        let ids = alertIDs(alerts)
        #expect(ids.count == count && Set(ids).count == count, "\(ids.count) lines, \(Set(ids).count) alerts")
        #expect(try sqlite(state, "PRAGMA integrity_check") == "ok")
        #expect(try sqlite(state, "SELECT count(*) FROM items") == "\(count)")
        let after = try storedItems(state)
        #expect(after.isSuperset(of: before))

        // Opening the store needs room for its shared-memory index: refused, with the reason.
        try fs.fill()
        let refused = try BinaryRunner.run(["once", "--config", config, "--all"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("(No space left on device)"), "\(refused.stderr)")
        fs.free()
        #expect(try sqlite(state, "PRAGMA integrity_check") == "ok")
        #expect(try storedItems(state) == after)
        let again = try BinaryRunner.run(["once", "--config", config, "--all"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(alertIDs(alerts).count == count)
    }

    /// A PostgreSQL server whose data directory fills while `run` polls. First the server stays
    /// up and refuses to extend a table: the daemon reports it and goes on. Then the server stops
    /// while the disk is full, as PostgreSQL's documented PANIC on a write-ahead log it cannot
    /// write does, and is restarted once space is back: the daemon reconnects. Each time every
    /// alert is delivered exactly once.
    @Test(.enabled(if: postgres, Comment(rawValue: ScratchFilesystem.skipReason ?? PostgresCluster.skipReason ?? "")),
          .timeLimit(.minutes(2)))
    func aPostgreSQLServerOutOfDiskLosesAndDuplicatesNothing() throws {
        let fs = try ScratchFilesystem(megabytes: 112)
        defer { fs.unmount() }
        let cluster = try PostgresCluster.start(.init(parent: fs.path))
        defer { cluster.destroy() }
        let uri = try cluster.createDatabase("diskfull")
        let alerts = path("alerts.jsonl")
        let config = try config(state: uri, interval: "1s", sinks: "  - file: {path: \(alerts)}")
        try feed(count: 20)
        let (run, log) = try BinaryRunner.startDaemon(config, in: dir)
        defer { stop(run) }
        try waitFor("the first alerts", seconds: 30, log: log) { wholeLines(alerts) >= 20 }

        func expectEachAlertOnce(_ count: Int) throws {
            try waitFor("every alert once the server has space", seconds: 40, log: log) { wholeLines(alerts) >= count }
            Thread.sleep(forTimeInterval: 2)  // another cycle or two: nothing alerts again
            let ids = alertIDs(alerts)
            #expect(ids.count == count && Set(ids).count == count, "\(ids.count) lines, \(Set(ids).count) alerts")
            #expect(try cluster.psql(uri, "SELECT count(*) FROM items") == "\(count)\n")
            #expect(run.isRunning, "the daemon stopped: \(text(log).suffix(2_000))")
        }

        // The server up, out of room for its tables.
        try fs.fill()
        try feed(count: 1_500, padding: 2_000)
        try waitFor("the daemon to report the full disk", seconds: 30, log: log) {
            text(log).contains("No space left on device")
        }
        Thread.sleep(forTimeInterval: 2)  // a few more cycles against the full disk
        #expect(run.isRunning, "the daemon stopped: \(text(log).suffix(2_000))")
        fs.free()
        try expectEachAlertOnce(1_500)

        // The server down on a full disk, started again once there is room.
        try fs.fill()
        try feed(count: 3_000, padding: 2_000)
        let reported = text(log).components(separatedBy: "No space left on device").count
        try waitFor("the daemon to report the full disk again", seconds: 30, log: log) {
            text(log).components(separatedBy: "No space left on device").count > reported
        }
        try cluster.crash()
        let cut = text(log).count
        try waitFor("the daemon to report the server gone", seconds: 30, log: log) { text(log).count > cut + 40 }
        Thread.sleep(forTimeInterval: 2)  // cycles against a server that is not there
        #expect(run.isRunning, "the daemon stopped: \(text(log).suffix(2_000))")
        fs.free()
        try cluster.restart()
        try expectEachAlertOnce(3_000)
    }
}
