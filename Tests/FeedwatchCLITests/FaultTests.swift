import Foundation
import TestSupport
import Testing

/// The delivery promises under faults, through the real binary: a crash before a sink's first
/// delivery, a reader that goes away, a torn or short write, a second process, commands that
/// hang, flood their output or leave children behind, a stop during a delivery, a FIFO as a feed.
@Suite struct FaultTests {
    private let dir: URL

    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// A local RSS feed of `count` items whose titles match the topic `police`.
    private func feed(_ name: String = "local.xml", count: Int, extra: (Int) -> String = { _ in "" }) throws {
        var xml = "<rss version=\"2.0\"><channel><title>Local News</title>"
        for i in 0..<count {
            xml += "<item><guid>g\(i)</guid><title>Police report \(i)</title><link>https://news.example/\(i)</link>\(extra(i))</item>"
        }
        try Data((xml + "</channel></rss>").utf8).write(to: dir.appendingPathComponent(name))
    }

    private func config(_ sinks: String, feed: String = "local.xml", name: String = "feedwatch.yaml", state: String = "state.sqlite") throws -> String {
        let file = dir.appendingPathComponent(name)
        try Data("""
            state: \(path(state))
            first_fetch_window: all
            poll: {interval: 1h, timeout: 5s}
            feeds:
              - url: \(feed)
            topics:
              police: police
            sinks:
            \(sinks)
            """.utf8).write(to: file)
        return file.path
    }

    /// The binary with a time limit: a run past it is killed and the test fails, so a hang is a
    /// failure, not a stuck suite.
    private func runBounded(_ arguments: [String], seconds: Double, stdout: FileHandle? = nil,
                            shell: String? = nil) throws -> (status: Int32, stderr: String, elapsed: Double) {
        let process = Process()
        if let shell {
            // `sh -c 'ulimit …; exec "$0" "$@"' feedwatch args…`
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", shell + "; exec \"$0\" \"$@\"", BinaryRunner.binary.path] + arguments
        } else {
            process.executableURL = BinaryRunner.binary
            process.arguments = arguments
        }
        let err = dir.appendingPathComponent("stderr-\(UUID().uuidString)")
        try Data().write(to: err)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardOutput = stdout ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        while process.isRunning && Date().timeIntervalSince(start) < seconds { Thread.sleep(forTimeInterval: 0.05) }
        let hung = process.isRunning
        if hung { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let text = String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self)
        #expect(!hung, "feedwatch \(arguments.joined(separator: " ")) still ran after \(seconds) s: \(text)")
        return (process.terminationStatus, text, Date().timeIntervalSince(start))
    }

    private func startRun(_ config: String, environment: [String: String] = [:]) throws -> (Process, URL) {
        try BinaryRunner.startDaemon(config, in: dir, environment: environment)
    }

    private func waitFor(_ what: String, seconds: Double = 20, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        try #require(condition(), "timed out waiting for \(what)")
    }

    private func lines(_ name: String) -> [String] {
        ((try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? "")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    /// Every line of a JSON Lines file is a whole JSON object; returns their `alert_id`s.
    private func alertIDs(_ name: String) -> [String] {
        let text = (try? Data(contentsOf: dir.appendingPathComponent(name))) ?? Data()
        if let last = text.last { #expect(last == 0x0A, "\(name) ends in a torn line") }
        return lines(name).compactMap { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line.prefix(120))")
            return object?["alert_id"] as? String
        }
    }

    private func sql(_ statement: String, _ state: String = "state.sqlite") throws {
        let result = try BinaryRunner.runProcess("/usr/bin/env", ["python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", path(state), statement])
        try #require(result.status == 0, "\(result.stderr)")
    }

    /// The pids whose command line contains `text` (arguments separated by NUL), from /proc.
    private func processes(running text: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { $0.allSatisfy(\.isNumber) }.filter { pid in
            let line = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            return String(decoding: line, as: UTF8.self).contains(text)
        }
    }

    // MARK: Lost

    /// A slow exec sink first, a file sink second; `run` killed before the file sink ever
    /// delivered. Its place in the queue was taken when the config was loaded: nothing is lost.
    @Test func aSinkHasItsPlaceFromTheConfigsLoadNotItsFirstDelivery() throws {
        try feed(count: 40)
        let config = try config("""
              - exec: {command: [sh, -c, 'sleep 0.1; cat >> \(path("exec.out"))']}
              - file: {path: \(path("alerts.jsonl"))}
            """)
        let (run, _) = try startRun(config)
        try waitFor("the exec sink's first alerts") { lines("exec.out").count >= 3 }
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        #expect(lines("alerts.jsonl").isEmpty, "the file sink had not delivered yet")
        for _ in 0..<2 { _ = try runBounded(["once", "--config", config], seconds: 60) }
        #expect(Set(alertIDs("alerts.jsonl")).count == 40)
        #expect(alertIDs("alerts.jsonl").count == 40)
    }

    /// `once | head -1`: the reader goes away while the stdout sink writes. The process is not
    /// killed by SIGPIPE, the file sink gets everything, and stdout retries later.
    @Test func aClosedStdoutIsTheStdoutSinksFailureNotTheProcesss() throws {
        try feed(count: 3_000)
        let config = try config("""
              - stdout: {format: json}
              - file: {path: \(path("alerts.jsonl"))}
            """)
        let pipe = Pipe()
        pipe.fileHandleForReading.closeFile()  // the reader is gone before the first write
        let result = try runBounded(["once", "--config", config], seconds: 120, stdout: pipe.fileHandleForWriting)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("stdout: cannot write to standard output: Broken pipe"), "\(result.stderr)")
        #expect(Set(alertIDs("alerts.jsonl")).count == 3_000)
        let outbox = try BinaryRunner.run(["outbox", "--config", config])
        #expect(outbox.stdout.contains("3000 pending · failing: 1 attempt"), "\(outbox.stdout)")
    }

    /// A webhook's URL edited: the old sink's pending alerts are not silently dropped — the log,
    /// `check-config` and `outbox` say so, and `outbox move` hands them to the new sink. A sink
    /// with a `name:` keeps its place across the edit.
    @Test func anEditedSinkSaysWhatItAbandonsAndCanHandItOn() throws {
        try feed(count: 4)
        // Port 9 (discard) on loopback: nothing listens, every attempt fails.
        let typo = try config("  - webhook: {url: 'http://127.0.0.1:9/typo', timeout: 1s}")
        #expect(try runBounded(["once", "--config", typo], seconds: 60).status == 0)
        let fixed = try config("  - webhook: {url: 'http://127.0.0.1:9/fixed', timeout: 1s}")
        let check = try BinaryRunner.run(["check-config", "--config", fixed])
        #expect(check.status == 0)
        #expect(check.stderr.contains("the sink 'webhook:http://127.0.0.1:9/typo' is no longer in the config but had 4 alerts it had not taken"),
                "\(check.stderr)")
        let listing = try BinaryRunner.run(["outbox", "--config", fixed])
        #expect(listing.stdout.contains("webhook:http://127.0.0.1:9/typo (no longer configured)\n    4 alerts it had not taken"), "\(listing.stdout)")
        let moved = try BinaryRunner.run(["outbox", "--config", fixed, "move", "webhook:http://127.0.0.1:9/typo", "webhook:http://127.0.0.1:9/fixed"])
        #expect(moved.status == 0, "\(moved.stderr)")
        let after = try BinaryRunner.run(["outbox", "--config", fixed, "--json"])
        #expect(after.stdout.contains("\"sink\":\"webhook:http://127.0.0.1:9/fixed\",\"pending\":4"), "\(after.stdout)")
        #expect(!after.stdout.contains("typo"))
        #expect(try BinaryRunner.run(["outbox", "--config", fixed, "move", "webhook:nothing", "webhook:http://127.0.0.1:9/fixed"]).status == 1)

        // With a name, an edit keeps the place: nothing is abandoned.
        let named = try config("  - webhook: {url: 'http://127.0.0.1:9/a', timeout: 1s, name: desk}", state: "named.sqlite")
        #expect(try runBounded(["once", "--config", named], seconds: 60).status == 0)
        let renamed = try config("  - webhook: {url: 'http://127.0.0.1:9/b', timeout: 1s, name: desk}", state: "named.sqlite")
        let quiet = try BinaryRunner.run(["check-config", "--config", renamed])
        #expect(!quiet.stderr.contains("no longer in the config"), "\(quiet.stderr)")
        #expect(try BinaryRunner.run(["outbox", "--config", renamed]).stdout.contains("name:desk\n    4 pending"))
    }

    // MARK: Doubled or broken

    /// A file-size limit stops the file sink mid-batch (EFBIG, as on a full disk): only whole
    /// lines stay, and the retry appends exactly the missing ones.
    @Test func aShortWriteKeepsWholeLinesAndTheRetryAppendsOnlyWhatIsMissing() throws {
        try feed(count: 2_000)
        let config = try config("  - file: {path: \(path("alerts.jsonl"))}")
        // The store first (it must not be what the limit stops), then the alerts file anew.
        #expect(try runBounded(["once", "--config", config], seconds: 120).status == 0)
        #expect(alertIDs("alerts.jsonl").count == 2_000)
        try sql("UPDATE sink_cursors SET last_alert_rowid = 0")
        try Data().write(to: dir.appendingPathComponent("alerts.jsonl"))
        let limited = try runBounded(["once", "--config", config], seconds: 120, shell: "ulimit -f 600")  // 300 KB
        #expect(limited.stderr.contains("File too large"), "\(limited.stderr)")
        let partial = alertIDs("alerts.jsonl")
        #expect(!partial.isEmpty && partial.count < 2_000)
        #expect(Set(partial).count == partial.count)
        try sql("UPDATE sink_cursors SET next_attempt_at = NULL, attempts = 0")
        #expect(try runBounded(["once", "--config", config], seconds: 120).status == 0)
        let ids = alertIDs("alerts.jsonl")
        #expect(ids.count == 2_000 && Set(ids).count == 2_000)
    }

    /// `kill -9` again and again while `run` writes thousands of alerts: every line whole JSON,
    /// each id exactly once, none missing.
    @Test func killNineMidWriteLeavesEveryLineWholeAndEachIDOnce() throws {
        try feed(count: 6_000)
        let config = try config("  - file: {path: \(path("alerts.jsonl"))}")
        var kills = 0
        for round in 0..<8 {
            let (run, _) = try startRun(config)
            // Kill at a different moment each time, mostly while the sink is writing.
            let before = lines("alerts.jsonl").count
            try? waitFor("writing", seconds: 30) { lines("alerts.jsonl").count > before || round > 5 }
            Thread.sleep(forTimeInterval: Double(round % 3) * 0.01)
            if run.isRunning { kill(run.processIdentifier, SIGKILL); kills += 1 }
            run.waitUntilExit()
            if lines("alerts.jsonl").count >= 6_000 { break }
        }
        #expect(kills > 0)
        #expect(try runBounded(["once", "--config", config], seconds: 120).status == 0)
        let ids = alertIDs("alerts.jsonl")
        #expect(ids.count == 6_000, "\(ids.count) lines")
        #expect(Set(ids).count == 6_000)
    }

    /// A torn last line (as `kill -9` mid-write leaves it) is cut off when the sink opens the file,
    /// and its alert written again whole.
    @Test func aTornLastLineIsRepairedAndItsAlertWrittenAgain() throws {
        try feed(count: 5)
        let config = try config("  - file: {path: \(path("alerts.jsonl"))}")
        #expect(try runBounded(["once", "--config", config], seconds: 60).status == 0)
        let file = dir.appendingPathComponent("alerts.jsonl")
        var bytes = try Data(contentsOf: file)
        bytes.removeLast(40)
        try bytes.write(to: file)
        try sql("UPDATE sink_cursors SET last_alert_rowid = 0")
        let result = try runBounded(["once", "--config", config], seconds: 60)
        #expect(result.stderr.contains("cut off a torn last line"), "\(result.stderr)")
        let ids = alertIDs("alerts.jsonl")
        #expect(ids.count == 5 && Set(ids).count == 5)
    }

    /// A second writer refuses at once and names the first; read-only commands work beside it.
    @Test func aSecondWriterRefusesAndNamesTheHolder() throws {
        try feed(count: 3)
        let config = try config("  - exec: {command: [sh, -c, 'cat >> \(path("exec.out"))']}")
        let (run, _) = try startRun(config)
        defer { if run.isRunning { run.terminate(); run.waitUntilExit() } }
        try waitFor("the daemon's alerts") { lines("exec.out").count == 3 }
        let once = try runBounded(["once", "--all", "--config", config], seconds: 30)
        #expect(once.status == 1)
        #expect(once.stderr.contains("is in use by feedwatch run (pid \(run.processIdentifier)"), "\(once.stderr)")
        #expect(try BinaryRunner.run(["status", "--config", config]).status == 0)
        #expect(try BinaryRunner.run(["outbox", "--config", config]).status == 0)
        #expect(try BinaryRunner.run(["stories", "--config", config]).status == 0)
        #expect(lines("exec.out").count == 3, "nothing delivered twice")
    }

    /// Processes started at once on a new store: the schema is created once; every reader
    /// succeeds, exactly one writer runs, the others refuse with the lock's message.
    @Test func processesStartingTogetherOnANewStoreNeverTripOverItsCreation() throws {
        try feed(count: 3)
        let config = try config("  - file: {path: \(path("alerts.jsonl"))}")
        let commands: [[String]] = Array(repeating: ["status"], count: 4) + Array(repeating: ["once"], count: 4)
        let processes = try commands.map { command -> (Process, URL) in
            let p = Process()
            p.executableURL = BinaryRunner.binary
            p.arguments = command + ["--config", config]
            let err = dir.appendingPathComponent("err-\(UUID().uuidString)")
            try Data().write(to: err)
            p.standardError = try FileHandle(forWritingTo: err)
            p.standardOutput = FileHandle.nullDevice
            return (p, err)
        }
        for (p, _) in processes { try p.run() }
        var onceOK = 0
        for ((p, err), command) in zip(processes, commands) {
            p.waitUntilExit()
            let text = String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self)
            #expect(!text.contains("already exists") && !text.contains("database is locked") && !text.contains("duplicate column"), "\(text)")
            if command == ["status"] { #expect(p.terminationStatus == 0, "\(text)") }
            if command == ["once"] {
                if p.terminationStatus == 0 { onceOK += 1 } else { #expect(text.contains("is in use by feedwatch once"), "\(text)") }
            }
        }
        #expect(onceOK >= 1)
        #expect(Set(alertIDs("alerts.jsonl")).count == 3 && alertIDs("alerts.jsonl").count == 3)
    }

    // MARK: Hung or leaked

    /// A record over 64 KiB to a command that never reads it: the write never blocks, the timeout
    /// holds, and the command's whole process group — background children too — is killed.
    @Test func anExecCommandThatNeverReadsOrLeavesChildrenCannotHangOrLeak() throws {
        let summary = String(repeating: "police word ", count: 12_000)  // ~140 KB
        try feed(count: 1) { _ in "<description>\(summary)</description>" }
        let marker = "31\(Int.random(in: 100...999)).5"
        let config = try config("  - exec: {command: [sh, -c, 'sleep \(marker) & sleep \(marker)'], timeout: 2s}")
        let result = try runBounded(["once", "--config", config], seconds: 30)
        #expect(result.status == 0)
        #expect(result.elapsed < 15)
        #expect(result.stderr.contains("ran past 2 s and was killed"), "\(result.stderr)")
        #expect(processes(running: "sleep\0\(marker)").isEmpty, "orphaned children of the command")
    }

    /// What a command prints never reaches the daemon's output (where a stdout sink writes JSON
    /// Lines); its first line is kept for the failure message.
    @Test func execOutputIsCapturedNotMixedIntoTheDaemonsOwn() throws {
        try feed(count: 2)
        let config = try config("""
              - exec: {command: [sh, -c, 'echo NOISE-OUT; echo NOISE-ERR >&2; head -c 100000000 /dev/zero; cat > /dev/null']}
              - exec: {command: [sh, -c, 'echo the receiver said no >&2; exit 3'], max_attempts: 1}
              - stdout: {format: json}
            """)
        let out = dir.appendingPathComponent("stdout")
        try Data().write(to: out)
        let result = try runBounded(["once", "--config", config], seconds: 60, stdout: try FileHandle(forWritingTo: out))
        #expect(result.status == 0)
        let stdout = lines("stdout")
        #expect(stdout.count == 2)
        #expect(stdout.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "\(stdout)")
        #expect(!result.stderr.contains("NOISE"))
        #expect(result.stderr.contains("sh exited with status 3: the receiver said no"), "\(result.stderr)")
        #expect((try Data(contentsOf: out)).count < 10_000)
    }

    /// SIGTERM while a delivery waits on a receiver or a command that outlasts systemd's stop
    /// timeout: the daemon stops within the grace transfers get; the alert stays pending.
    @Test(arguments: ["webhook", "exec"])
    func aStopDuringADeliveryTakesSecondsAndKeepsTheAlertPending(kind: String) throws {
        try feed(count: 1)
        let receiver = try FeedServer(script: "webhook_receiver.py", arguments: [])
        let sink = kind == "webhook" ? "  - webhook: {url: '\(receiver.url("/hang/5"))', timeout: 120s}"
            : "  - exec: {command: [sh, -c, 'echo started > \(path("started")); sleep 120'], timeout: 120s}"
        let config = try config(sink)
        let (run, _) = try startRun(config)
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL); run.waitUntilExit() } }
        if kind == "webhook" {
            try waitFor("the request") { !receiver.log.isEmpty }
        } else {
            try waitFor("the command") { FileManager.default.fileExists(atPath: path("started")) }
        }
        let start = Date()
        kill(run.processIdentifier, SIGTERM)
        while run.isRunning && Date().timeIntervalSince(start) < 25 { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!run.isRunning)
        #expect(Date().timeIntervalSince(start) < 12, "stopped after \(Date().timeIntervalSince(start)) s")
        #expect(try BinaryRunner.run(["outbox", "--config", config]).stdout.contains("1 pending"))
    }

    /// A local feed that is a FIFO would block on open or read: refused, and `run` still stops.
    @Test func aFIFOAsALocalFeedIsRefusedNotWaitedOn() throws {
        #expect(mkfifo(path("fifo.xml"), 0o644) == 0)
        let config = try config("  - stdout: {format: text}", feed: "fifo.xml")
        let once = try runBounded(["once", "--config", config], seconds: 20)
        #expect(once.status == 2)
        #expect(once.stderr.contains("is not a regular file (a FIFO)"), "\(once.stderr)")
        let (run, _) = try startRun(config)
        Thread.sleep(forTimeInterval: 1)
        kill(run.processIdentifier, SIGTERM)
        let start = Date()
        while run.isRunning && Date().timeIntervalSince(start) < 10 { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!run.isRunning)
        if run.isRunning { kill(run.processIdentifier, SIGKILL) }
        run.waitUntilExit()
    }

    /// `once --all` polls every feed but those backing off, gone or asked to wait — and says so.
    @Test func onceAllSaysWhichFeedsItSkippedAndUntilWhen() throws {
        let config = try config("  - stdout: {format: text}", feed: "missing.xml")
        #expect(try runBounded(["once", "--config", config], seconds: 20).status == 2)
        let again = try runBounded(["once", "--all", "--config", config], seconds: 20)
        #expect(again.status == 0)
        #expect(again.stderr.contains("skipped file://\(path("missing.xml")): backing off after 1 failed poll until 20"), "\(again.stderr)")
        #expect(try BinaryRunner.run(["once", "--help"]).stdout.contains("backing off after failures"))
    }

    // MARK: Injected

    /// A `javascript:` or `data:` link never leaves as a link: not in the record, not in a text line.
    @Test func onlyHTTPAndMailtoLinksLeaveAsLinks() throws {
        var xml = "<rss version=\"2.0\"><channel><title>Local News</title>"
        xml += "<item><guid>a</guid><title>Police a</title><link>javascript:alert(1)</link></item>"
        xml += "<item><guid>b</guid><title>Police b</title><link>data:text/html,&lt;script&gt;x&lt;/script&gt;</link></item>"
        xml += "<item><guid>c</guid><title>Police c</title><link>https://news.example/c</link></item>"
        try Data((xml + "</channel></rss>").utf8).write(to: dir.appendingPathComponent("local.xml"))
        let config = try config("""
              - stdout: {format: text}
              - file: {path: \(path("alerts.jsonl"))}
            """)
        let out = dir.appendingPathComponent("stdout")
        try Data().write(to: out)
        _ = try runBounded(["once", "--config", config], seconds: 30, stdout: try FileHandle(forWritingTo: out))
        let text = lines("stdout").joined(separator: "\n")
        #expect(!text.contains("javascript:") && !text.contains("data:"), "\(text)")
        #expect(text.contains("<https://news.example/c>"))
        let records = lines("alerts.jsonl").joined(separator: "\n")
        #expect(!records.contains("javascript:") && !records.contains("data:text"), "\(records)")
    }

    // MARK: Smaller

    @Test func checkConfigCatchesDirectoriesAndBadSecretsAndKeepsShortDigests() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("adir"), withIntermediateDirectories: true)
        for sink in ["  - file: {path: \(path("adir"))}", "  - digest: {path: \(path("adir"))}"] {
            let result = try BinaryRunner.run(["check-config", "--config", try config(sink)])
            #expect(result.status == 78)
            #expect(result.stderr.contains("is a directory"), "\(result.stderr)")
        }
        let state = try BinaryRunner.run(["check-config", "--config", try config("  - stdout: {}", state: "adir")])
        #expect(state.status == 78)
        #expect(state.stderr.contains("state: \(path("adir")) is a directory"), "\(state.stderr)")

        let hook = try config("  - webhook: {url: 'http://127.0.0.1:9/x', secret_env: FW_FAULT_SECRET}")
        let bad = try BinaryRunner.run(["check-config", "--config", hook], environment: ["FW_FAULT_SECRET": "not-a-secret"])
        #expect(bad.status == 78)
        #expect(bad.stderr.contains("$FW_FAULT_SECRET is set but unusable"), "\(bad.stderr)")

        // A short digest period is kept as written (it was silently raised to a minute).
        try feed(count: 1)
        let short = try config("  - digest: {path: \(path("d.log")), every: 2s}")
        let digest = try BinaryRunner.run(["check-config", "--config", short])
        #expect(digest.status == 0)
        #expect(digest.stdout.contains("every 2s"), "\(digest.stdout)")
        _ = try runBounded(["once", "--config", short], seconds: 30)
        Thread.sleep(forTimeInterval: 2.5)
        _ = try runBounded(["once", "--config", short], seconds: 30)
        #expect(lines("d.log").contains { $0.hasPrefix("== summary") }, "\(lines("d.log"))")
    }

    @Test func outboxRetryOfAnUnknownAlertFails() throws {
        try feed(count: 1)
        let config = try config("  - stdout: {format: text}")
        _ = try runBounded(["once", "--config", config], seconds: 30)
        let result = try BinaryRunner.run(["outbox", "--config", config, "retry", "fw_nope"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no dead letter for alert fw_nope"))
    }
}
