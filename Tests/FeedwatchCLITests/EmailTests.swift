import Foundation
import TestSupport
import Testing

/// The email sink through the real binary, against a real SMTP server on 127.0.0.1
/// (`Tests/Servers/smtp_receiver.py`, aiosmtpd) that answers as told, checks AUTH, and reads
/// every message back with Python's `email` package.
@Suite struct EmailTests {
    private let dir: URL
    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    /// RFC 822 dates `hoursAgo` before now: story grouping runs on publication times.
    private static func date(hoursAgo: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: Date(timeIntervalSinceNow: -hoursAgo * 3_600))
    }

    /// Three outlets covering one event (a story of 3), and an unrelated item.
    private func writeFeeds() throws {
        let items = [
            ("verge.xml", "The Verge", "v1", "IBM will no longer offer general purpose facial recognition software",
             "Arvind Krishna wrote to Congress that IBM opposes mass surveillance and racial profiling.", 30.0),
            ("reuters.xml", "Reuters", "r1", "IBM exits facial recognition business, calls for police reform",
             "Krishna's letter to Congress backed police accountability legislation.", 28.0),
            ("bbc.xml", "BBC", "b1", "IBM abandons facial recognition products",
             "The company's boss Arvind Krishna says IBM will oppose racial profiling and mass surveillance.", 27.0),
        ]
        for (file, outlet, guid, title, summary, hours) in items {
            let rss = "<rss version=\"2.0\"><channel><title>\(outlet)</title><item><guid>\(guid)</guid><title>\(title)</title>"
                + "<description>\(summary)</description><link>https://\(guid).example/story?utm_source=rss&amp;utm_medium=feed</link>"
                + "<pubDate>\(Self.date(hoursAgo: hours))</pubDate></item>"
                + "<item><guid>\(guid)-w</guid><title>Weather for \(outlet)</title></item></channel></rss>"
            try Data(rss.utf8).write(to: dir.appendingPathComponent(file))
        }
    }

    private func config(_ sink: String) throws -> String {
        let file = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            state: \(dir.appendingPathComponent("state.sqlite").path)
            first_fetch_window: all
            poll: {interval: 1h}
            feeds:
              - url: verge.xml
              - url: reuters.xml
              - url: bbc.xml
            topics:
              facial-recognition: '"facial recognition"'
            sinks:
              - email: \(sink)
            """.utf8).write(to: file)
        return file.path
    }

    private func smtp(auth: Bool = false) throws -> FeedServer {
        try FeedServer(script: "smtp_receiver.py", arguments: [], environment: auth ? ["SMTP_USER": "feedwatch", "SMTP_PASSWORD": "s3cret"] : [:])
    }

    /// What the server logged, one object per mail attempted.
    private func mails(_ server: FeedServer) -> [[String: Any]] {
        server.log.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    private func waitFor(_ what: String, seconds: Double = 30, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        try #require(condition(), "timed out waiting for \(what)")
    }

    /// One mail per alert, with AUTH, threaded by story: the later items of the story answer its
    /// first, the subject says the story's size, the text its publication time and a clean link.
    @Test func aMailPerAlertThreadedByStoryWithAuth() throws {
        let server = try smtp(auth: true)
        try writeFeeds()
        let config = try config("{url: 'smtp://127.0.0.1:\(server.port)', from: feedwatch@example.org, to: [desk@example.org], "
            + "username_env: FW_SMTP_USER, password_env: FW_SMTP_PASSWORD}")
        let run = try BinaryRunner.run(["once", "--config", config], environment: ["FW_SMTP_USER": "feedwatch", "FW_SMTP_PASSWORD": "s3cret"])
        #expect(run.status == 0, "\(run.stderr)")
        let got = mails(server)
        #expect(got.count == 3, "\(got)")
        #expect(got.allSatisfy { $0["status"] as? Int == 250 && $0["auth_user"] as? String == "feedwatch" })
        #expect(got.allSatisfy { ($0["defects"] as? [String])?.isEmpty == true && $0["content_type"] as? String == "multipart/alternative" })
        #expect(got.allSatisfy { $0["mail_from"] as? String == "feedwatch@example.org" && $0["rcpt_tos"] as? [String] == ["desk@example.org"] })
        let subjects = got.compactMap { $0["subject"] as? String }
        #expect(subjects.contains { $0.hasPrefix("[feedwatch] facial-recognition: IBM") && $0.hasSuffix("(story of 3)") }, "\(subjects)")
        #expect(subjects.filter { !$0.contains("(story of") }.count == 1, "the story's first mail has no size yet")
        // Threading: the first mail starts the thread, the others answer it.
        let first = try #require(got.first { $0["in_reply_to"] is NSNull || $0["in_reply_to"] == nil })
        let firstID = try #require(first["message_id"] as? String)
        #expect(firstID.hasPrefix("<fw_") && firstID.hasSuffix("@feedwatch>"))
        let replies = got.filter { $0["in_reply_to"] as? String != nil }
        #expect(replies.count == 2 && replies.allSatisfy { $0["in_reply_to"] as? String == firstID && $0["references"] as? String == firstID })
        #expect(Set(got.compactMap { $0["message_id"] as? String }).count == 3)
        // Text and HTML parts: the item's publication time, its link without tracking parameters.
        let text = got.compactMap { $0["text"] as? String }.joined()
        let html = got.compactMap { $0["html"] as? String }.joined()
        #expect(text.contains("published ") && text.contains(" UTC"))
        #expect(text.contains("https://v1.example/story\r\n") && !text.contains("utm_"), "\(text)")
        #expect(html.contains("<a href=\"https://r1.example/story\">"), "\(html)")
    }

    /// Wrong credentials: the server's 535 is a 5xx, dead-lettered at once with what it said.
    @Test func aRefusedLoginIsDeadLettered() throws {
        let server = try smtp(auth: true)
        try writeFeeds()
        let config = try config("{url: 'smtp://127.0.0.1:\(server.port)', from: feedwatch@example.org, to: desk@example.org, "
            + "username_env: FW_SMTP_USER, password_env: FW_SMTP_PASSWORD}")
        let run = try BinaryRunner.run(["once", "--config", config], environment: ["FW_SMTP_USER": "feedwatch", "FW_SMTP_PASSWORD": "wrong"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(mails(server).isEmpty)
        let outbox = try BinaryRunner.run(["outbox", "--config", config])
        #expect(outbox.stdout.contains("3 dead-lettered") && outbox.stdout.contains("535"), "\(outbox.stdout)")
    }

    /// A 4xx reply is retried with the same message until the server takes it.
    @Test func aTemporaryFailureIsRetriedThenDelivered() throws {
        let server = try smtp()
        try writeFeeds()
        let config = try config("{url: 'smtp://127.0.0.1:\(server.port)', from: feedwatch@example.org, to: [tempfail-2@example.org], "
            + "stories: first, timeout: 5s}")
        let (process, log) = try BinaryRunner.startDaemon(config, in: dir)
        defer { if process.isRunning { process.terminate() } }
        try waitFor("the mail accepted") { mails(server).contains { $0["status"] as? Int == 250 } }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let got = mails(server)
        #expect(got.map { $0["status"] as? Int } == [451, 451, 250], "\(got)")
        #expect(Set(got.compactMap { $0["message_id"] as? String }).count == 1, "every attempt is the same message")
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(text.contains("451") && text.contains("attempt 1 of"), "\(text)")
    }

    /// A 5xx reply to a recipient dead-letters each alert at once; `outbox` says why. (With
    /// `stories: first`, a story's next alert is its first this sink took, so each is tried.)
    @Test func aPermanentRefusalIsDeadLettered() throws {
        let server = try smtp()
        try writeFeeds()
        let config = try config("{url: 'smtp://127.0.0.1:\(server.port)', from: feedwatch@example.org, to: [refuse@example.org], stories: first}")
        #expect(try BinaryRunner.run(["once", "--config", config]).status == 0)
        #expect(mails(server).map { $0["status"] as? Int } == [550, 550, 550])
        let outbox = try BinaryRunner.run(["outbox", "--config", config])
        #expect(outbox.stdout.contains("0 pending") && outbox.stdout.contains("3 dead-lettered"), "\(outbox.stdout)")
        #expect(outbox.stdout.contains("550") && outbox.stdout.contains("refused"), "\(outbox.stdout)")
    }

    /// `starttls: required` against a server that does not offer it sends nothing: the alert
    /// stays pending, and the reason is logged.
    @Test func requiredStartTLSNeverFallsBackToPlainText() throws {
        let server = try smtp()
        try writeFeeds()
        let config = try config("{url: 'smtp://127.0.0.1:\(server.port)', from: feedwatch@example.org, to: [desk@example.org], "
            + "starttls: required, stories: first}")
        let run = try BinaryRunner.run(["once", "--config", config])
        #expect(run.status == 0)
        #expect(mails(server).isEmpty)
        #expect(run.stderr.contains("TLS") || run.stderr.contains("SSL"), "\(run.stderr)")
        #expect(try BinaryRunner.run(["outbox", "--config", config]).stdout.contains("1 pending"))
    }

    /// With `every`, the alerts wait for the period's end and go out as one digest mail: stories
    /// largest first, topic counts.
    @Test func aDigestMailPerPeriod() throws {
        let server = try smtp()
        try writeFeeds()
        let config = try config("{url: 'smtp://127.0.0.1:\(server.port)', from: feedwatch@example.org, to: [desk@example.org], every: 2s}")
        let (process, _) = try BinaryRunner.startDaemon(config, in: dir)
        defer { if process.isRunning { process.terminate() } }
        try waitFor("the digest") { !mails(server).isEmpty }
        Thread.sleep(forTimeInterval: 3)  // a second period with nothing new sends nothing
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let got = mails(server)
        #expect(got.count == 1, "\(got)")
        let digest = try #require(got.first)
        #expect(digest["subject"] as? String == "[feedwatch] digest: 3 alerts in 1 story (facial-recognition 3)")
        #expect((digest["message_id"] as? String)?.hasPrefix("<digest.") == true)
        let text = digest["text"] as? String ?? ""
        #expect(text.contains("Topics: facial-recognition 3"), "\(text)")
        #expect(text.contains("(story of 3)") && text.contains("The Verge: IBM") && text.contains("Reuters: IBM"), "\(text)")
        #expect((digest["defects"] as? [String])?.isEmpty == true)
    }
}
