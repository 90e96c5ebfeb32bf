import Foundation
import TestSupport
import Testing

/// Webhooks, exec, digest and the outbox through the real binary, against a loopback receiver
/// (`Tests/Servers/webhook_receiver.py`) that fails as told and checks signatures on its own.
@Suite struct DeliveryTests {
    private let dir: URL
    /// A Standard Webhooks secret: `whsec_` + base64 of random bytes.
    private let secret = "whsec_" + Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()

    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    private func feed(_ titles: [String]) throws {
        let items = titles.enumerated().map { "<item><guid>g\($0.offset)</guid><title>\($0.element)</title><link>https://news.example/\($0.offset)</link></item>" }
        try Data("<rss version=\"2.0\"><channel><title>Local News</title>\(items.joined())</channel></rss>".utf8)
            .write(to: dir.appendingPathComponent("local.xml"))
    }

    private func config(_ sinks: String, interval: String = "1h") throws -> String {
        let file = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            state: \(dir.appendingPathComponent("state.sqlite").path)
            first_fetch_window: all
            poll: {interval: \(interval)}
            feeds:
              - url: local.xml
            topics:
              police: police
            sinks:
            \(sinks)
            """.utf8).write(to: file)
        return file.path
    }

    /// What the receiver got, one object per request.
    private func received(_ server: FeedServer) -> [[String: Any]] {
        server.log.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    private func alertIDs(_ requests: [[String: Any]]) -> [String] {
        requests.compactMap { ($0["headers"] as? [String: String])?["webhook-id"] }
    }

    private func startRun(_ config: String, environment: [String: String] = [:]) throws -> (Process, URL) {
        try BinaryRunner.startDaemon(config, in: dir, environment: environment)
    }

    private func waitFor(_ what: String, seconds: Double = 20, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        try #require(condition(), "timed out waiting for \(what)")
    }

    /// A receiver that fails, drops the connection and times out before it answers: every alert
    /// arrives, signed (checked by Python's hmac), with the same id on every attempt.
    @Test(arguments: ["/fail/2", "/reset/2", "/throttle/1", "/slow/1"])
    func failingReceiversGetEveryAlertSignedWithStableIDs(path: String) throws {
        let receiver = try FeedServer(script: "webhook_receiver.py", arguments: [], environment: ["WEBHOOK_SECRET": secret])
        try feed(["Police report one", "Police report two", "Weather"])
        let config = try config("  - webhook: {url: '\(receiver.url(path))', secret_env: FW_TEST_SECRET, timeout: 2s}")
        let (process, log) = try startRun(config, environment: ["FW_TEST_SECRET": secret])
        defer { if process.isRunning { process.terminate() } }
        try waitFor("both alerts delivered") { received(receiver).filter { $0["status"] as? Int == 200 }.count == 2 }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()

        let requests = received(receiver)
        #expect(requests.count >= 3, "the failures came first")
        #expect(requests.allSatisfy { $0["signature_ok"] as? Bool == true }, "\(requests)")
        let delivered = requests.filter { $0["status"] as? Int == 200 }
        let bodies = delivered.compactMap { ($0["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } }
        #expect(Set(bodies.compactMap { ($0["item"] as? [String: Any])?["title"] as? String }) == ["Police report one", "Police report two"])
        // The id of every attempt is the alert's id: a receiver can drop repeats.
        let ids = alertIDs(requests)
        #expect(Set(ids) == Set(bodies.compactMap { $0["alert_id"] as? String }))
        let logText = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(logText.contains("attempt 1 of"), "\(logText)")
    }

    /// kill -9 while deliveries wait on a receiver that is down; a restart sends everything.
    @Test func killNineLosesNothing() throws {
        let receiver = try FeedServer(script: "webhook_receiver.py", arguments: [], environment: ["WEBHOOK_SECRET": secret])
        try feed(["Police one", "Police two", "Police three"])
        let config = try config("  - webhook: {url: '\(receiver.url("/fail/3"))', secret_env: FW_TEST_SECRET, timeout: 2s}")
        let (first, _) = try startRun(config, environment: ["FW_TEST_SECRET": secret])
        try waitFor("a failed attempt") { received(receiver).contains { $0["status"] as? Int == 500 } }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(received(receiver).filter { $0["status"] as? Int == 200 }.isEmpty)

        let (second, _) = try startRun(config, environment: ["FW_TEST_SECRET": secret])
        defer { if second.isRunning { second.terminate() } }
        try waitFor("all three delivered", seconds: 30) { Set(received(receiver).filter { $0["status"] as? Int == 200 }.compactMap { $0["body"] as? String }).count == 3 }
        kill(second.processIdentifier, SIGTERM)
        second.waitUntilExit()
    }

    /// A receiver that refuses (400) dead-letters at once; `outbox` shows it; `retry` requeues it,
    /// and it goes out once the receiver accepts.
    @Test func refusalsAreDeadLetteredShownAndRequeued() throws {
        let receiver = try FeedServer(script: "webhook_receiver.py", arguments: [])
        try feed(["Police refused"])
        let config = try config("  - webhook: {url: '\(receiver.url("/refuse/2"))'}")
        #expect(try BinaryRunner.run(["once", "--config", config]).status == 0)
        let text = try BinaryRunner.run(["outbox", "--config", config])
        #expect(text.status == 0)
        #expect(text.stdout.contains("0 pending"), "\(text.stdout)")
        #expect(text.stdout.contains("1 dead-lettered"))
        #expect(text.stdout.contains("HTTP 400: refused"))
        let json = try BinaryRunner.run(["outbox", "--config", config, "--json"]).stdout
        let line = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let dead = try #require((line["dead"] as? [[String: Any]])?.first)
        let id = try #require(dead["alert_id"] as? String)
        #expect(dead["requeued"] as? Bool == false)

        #expect(try BinaryRunner.run(["outbox", "--config", config, "retry"]).status != 0)  // needs an id or --all
        #expect(try BinaryRunner.run(["outbox", "--config", config, "retry", id]).stdout == "requeued 1 delivery\n")
        #expect(try BinaryRunner.run(["outbox", "--config", config]).stdout.contains("(requeued)"))
        // Still refused: dead again, not lost.
        #expect(try BinaryRunner.run(["once", "--config", config]).status == 0)
        #expect(try BinaryRunner.run(["outbox", "--config", config]).stdout.contains("1 dead-lettered"))
        #expect(try BinaryRunner.run(["outbox", "--config", config, "retry", "--all"]).stdout == "requeued 1 delivery\n")
        // Now the receiver accepts: delivered, and no longer dead.
        #expect(try BinaryRunner.run(["once", "--config", config]).status == 0)
        #expect(received(receiver).map { $0["status"] as? Int } == [400, 400, 200])
        #expect(try BinaryRunner.run(["outbox", "--config", config]).stdout.contains("0 dead-lettered"))
    }

    /// Chat presets reshape the body as the receivers document it.
    @Test func presetsSendTheShapesChatServicesExpect() throws {
        let receiver = try FeedServer(script: "webhook_receiver.py", arguments: [])
        try feed(["Police <b>bold</b> & co"])
        let config = try config("""
              - webhook: {url: '\(receiver.url("/ok/slack"))', format: slack}
              - webhook: {url: '\(receiver.url("/ok/discord"))', format: discord}
              - webhook: {url: '\(receiver.url("/ok/ntfy"))', format: ntfy}
              - webhook: {url: '\(receiver.url("/ok/batch"))', batch: 10}
            """)
        #expect(try BinaryRunner.run(["once", "--config", config]).status == 0)
        let byPath = Dictionary(received(receiver).map { ($0["path"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let slack = try #require(try JSONSerialization.jsonObject(with: Data((byPath["/ok/slack"]?["body"] as? String ?? "").utf8)) as? [String: Any])
        #expect(slack["text"] as? String == "*[police]* <https://news.example/0|Police bold &amp; co> — Local News")
        let discord = try #require(try JSONSerialization.jsonObject(with: Data((byPath["/ok/discord"]?["body"] as? String ?? "").utf8)) as? [String: Any])
        #expect(discord["content"] as? String == "**[police]** Police bold & co — Local News\nhttps://news.example/0")
        #expect((discord["allowed_mentions"] as? [String: Any])?["parse"] as? [String] == [])
        let ntfy = try #require(byPath["/ok/ntfy"])
        let headers = try #require(ntfy["headers"] as? [String: String])
        #expect(headers["title"] == "Police bold & co")
        #expect(headers["tags"] == "police")
        #expect(headers["click"] == "https://news.example/0")
        #expect(headers["content-type"]?.hasPrefix("text/plain") == true)
        let batch = try #require(try JSONSerialization.jsonObject(with: Data((byPath["/ok/batch"]?["body"] as? String ?? "").utf8)) as? [[String: Any]])
        #expect(batch.count == 1 && batch[0]["alert_id"] != nil)
    }

    /// exec: the record on stdin, retried while the command fails.
    @Test func execRunsACommandPerAlertAndRetriesFailures() throws {
        try feed(["Police exec one", "Police exec two"])
        let out = dir.appendingPathComponent("exec.out")
        let flag = dir.appendingPathComponent("ok")
        // Fails until the flag file exists; appends its input and the alert id when it succeeds.
        let script = dir.appendingPathComponent("hook.sh")
        try Data("test -e '\(flag.path)' || exit 3\ncat >> '\(out.path)'\necho \"id=$FEEDWATCH_ALERT_ID\" >> '\(out.path)'\n".utf8).write(to: script)
        let config = try config("  - exec: {command: [/bin/sh, '\(script.path)']}")
        #expect(try BinaryRunner.run(["once", "--config", config]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try BinaryRunner.run(["outbox", "--config", config]).stdout.contains("exited with status 3"))
        try Data().write(to: flag)
        Thread.sleep(forTimeInterval: 2.5)  // past the first backoff (2 s ±10 %)
        #expect(try BinaryRunner.run(["once", "--config", config]).status == 0)
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        #expect(text.contains("Police exec one") && text.contains("Police exec two"))
        #expect(text.components(separatedBy: "id=fw_").count == 3)
    }

    /// logrotate's default (`create`): the files are renamed away; the next alerts go to new files
    /// at the configured paths, whole lines, none repeated.
    @Test func rotatedFilesAreStartedAfresh() throws {
        try feed(["Police rotate one"])
        let config = try config("""
              - file: {path: alerts.jsonl}
              - digest: {path: digest.log, every: 1h}
            """, interval: "1s")
        let (process, _) = try startRun(config)
        defer { if process.isRunning { process.terminate() } }
        let alerts = dir.appendingPathComponent("alerts.jsonl"), digest = dir.appendingPathComponent("digest.log")
        func read(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        try waitFor("the first alert") { read(alerts).contains("rotate one") && read(digest).contains("rotate one") }
        try FileManager.default.moveItem(at: alerts, to: dir.appendingPathComponent("alerts.jsonl.1"))
        try FileManager.default.moveItem(at: digest, to: dir.appendingPathComponent("digest.log.1"))
        kill(process.processIdentifier, SIGHUP)
        try feed(["Police rotate one", "Police rotate two"])
        try waitFor("the second alert in new files") { read(alerts).contains("rotate two") && read(digest).contains("rotate two") }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(!read(alerts).contains("rotate one") && !read(digest).contains("rotate one"))
        #expect(read(alerts).split(separator: "\n").count == 1)
        #expect(read(dir.appendingPathComponent("alerts.jsonl.1")).split(separator: "\n").count == 1)
    }

    /// Feed health alerts go only to the sinks that ask for them.
    @Test func healthAlertsReachOnlySinksThatAsk() throws {
        let path = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            state: \(dir.appendingPathComponent("state.sqlite").path)
            health: {failing_after: 1}
            feeds:
              - {url: nowhere.xml, name: Nowhere}
            topics:
              police: police
            sinks:
              - file: {path: health.jsonl, health: true}
              - file: {path: items.jsonl}
              - stdout: {format: text, health: true}
            """.utf8).write(to: path)
        let once = try BinaryRunner.run(["once", "--config", path.path])
        #expect(once.status == 2)
        let line = try String(contentsOf: dir.appendingPathComponent("health.jsonl"), encoding: .utf8)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect((record["alert_id"] as? String)?.hasPrefix("hl_") == true)
        #expect((record["health"] as? [String: Any])?["event"] as? String == "failing")
        #expect(record["topics"] as? [String] == ["health"])
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("items.jsonl").path))
        #expect(once.stdout.contains("[health] Nowhere: feed failing: cannot read"), "\(once.stdout)")
    }

    /// A command that runs past its timeout is killed and the delivery retried later.
    @Test func execPastItsTimeoutIsKilledAndRetried() throws {
        try feed(["Police slow command"])
        let config = try config("  - exec: {command: [/bin/sleep, '30'], timeout: 1s}")
        let started = Date()
        #expect(try BinaryRunner.run(["once", "--config", config]).status == 0)
        #expect(Date().timeIntervalSince(started) < 10)
        let outbox = try BinaryRunner.run(["outbox", "--config", config]).stdout
        #expect(outbox.contains("1 pending") && outbox.contains("/bin/sleep ran past 1 s and was killed"), "\(outbox)")
    }

    /// The digest's line per alert, through the binary (its summary block has a unit test: it
    /// needs a clock, `every` is at least a minute).
    @Test func digestLinesAndSummary() throws {
        try feed(["Police digest one", "Police digest two", "Weather"])
        let digest = dir.appendingPathComponent("digest.log")
        let config = try config("  - digest: {path: digest.log, every: 1m}")
        #expect(try BinaryRunner.run(["once", "--config", config]).status == 0)
        let lines = try String(contentsOf: digest, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let line = try #require(lines.first)
        let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[police\] Local News: Police digest one <https://news\.example/0>$/#
        #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
    }
}
