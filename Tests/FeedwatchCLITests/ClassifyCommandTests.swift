import Foundation
import TestSupport
import Testing

/// `feedwatch classify` and `check-config` through the real binary, on the fixture feed in
/// `Tests/Fixtures/classify`: messy real-world spellings, every query feature, exit codes.
@Suite struct ClassifyCommandTests {
    private let config = BinaryRunner.classifyFixtures.appendingPathComponent("feedwatch.yaml").path
    private let feed = BinaryRunner.classifyFixtures.appendingPathComponent("press.xml").path

    private struct Item {
        let title: String
        let topics: [String]
        let matches: [String: [[String: Any]]]
    }

    private func classify(_ extra: [String] = []) throws -> [Item] {
        let r = try BinaryRunner.run(["classify", "--config", config, feed, "--format", "json"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(Set(doc.keys) == ["items"])
        let items = try #require(doc["items"] as? [[String: Any]])
        return try items.map { item in
            #expect(Set(item.keys) == ["id", "title", "link", "topics", "matches"])
            return Item(title: try #require(item["title"] as? String),
                        topics: try #require(item["topics"] as? [String]),
                        matches: try #require(item["matches"] as? [String: [[String: Any]]]))
        }
    }

    @Test func everyItemAppearsWithTheTopicsItMatches() throws {
        let items = try classify()
        #expect(items.map(\.topics) == [
            // facial-recognition (hyphenated in the title, &nbsp; in the HTML summary), police
            ["facial-recognition", "police", "police-face-surveillance", "near", "stemmed"],
            // non-breaking hyphen, upper case; "Law&#160;enforcement"
            ["facial-recognition", "police", "police-face-surveillance"],
            // "IBM’s" is IBM; author "Pérez" is perez; restricted topic, this feed's name
            ["facial-recognition", "ibm", "this-feed-only"],
            // NOT "face id" keeps it out of the combined topic
            ["facial-recognition", "police", "stemmed"],
            [],
            // CJK phrase inside unspaced text
            ["japanese"],
            // words split by markup; soft hyphen; combining accent; NEAR with a prefix;
            // "policing" is "police" by stem
            ["facial-recognition", "police", "near", "stemmed"],
        ])
    }

    @Test func matchesGiveTermFieldAndScalarOffsetsIntoTheParsedText() throws {
        let items = try classify()
        let first = try #require(items[0].matches["facial-recognition"])
        let title = "Police expand use of facial-recognition cameras"
        let start = title.unicodeScalars.count - "facial-recognition cameras".unicodeScalars.count
        #expect(first[0]["term"] as? String == "\"facial recognition\"")
        #expect(first[0]["field"] as? String == "title")
        #expect(first[0]["start"] as? Int == start)
        #expect(first[0]["end"] as? Int == start + 18)
        #expect(first[1]["field"] as? String == "summary")

        // Offsets count Unicode scalars: the Japanese title's match starts at its third ideograph.
        let japanese = try #require(items[5].matches["japanese"]?.first)
        #expect(japanese["start"] as? Int == 3)
        #expect(japanese["end"] as? Int == 6)

        // Matches of a multi-valued field are within the one value: "Ana Pérez".
        let author = try #require(items[2].matches["ibm"]?.first { $0["field"] as? String == "author" })
        #expect(author["start"] as? Int == 4)
        #expect(author["end"] as? Int == 9)
        #expect(items[4].matches.isEmpty)
    }

    @Test func textOutputMarksTheMatchedWordsInContext() throws {
        let r = try BinaryRunner.run(["classify", "--config", config, feed])
        #expect(r.status == 0)
        #expect(r.stdout.contains("[2] FACIAL\u{2011}RECOGNITION ban passes council\n"))
        #expect(r.stdout.contains("summary: \"law enforcement\"  \u{00AB}Law enforcement\u{00BB} agencies"))
        #expect(r.stdout.contains("[5] Weekend weather: rain, then sun\n    https://press.example.org/5\n    no topic\n"))
        #expect(r.stdout.hasSuffix("6 of 7 items matched: facial-recognition 5, police 4, stemmed 3, near 2, police-face-surveillance 2, ibm 1, japanese 1, this-feed-only 1\n"))
    }

    @Test func exitCodesAreThoseOfParsePlusConfig() throws {
        let dir = try BinaryRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let notAFeed = dir.appendingPathComponent("page.html")
        try Data("<html><body>hello</body></html>".utf8).write(to: notAFeed)
        #expect(try BinaryRunner.run(["classify", "--config", config, notAFeed.path]).status == 65)
        #expect(try BinaryRunner.run(["classify", "--config", config, dir.appendingPathComponent("missing.xml").path]).status == 66)

        let bad = dir.appendingPathComponent("bad.yaml")
        try Data("topics:\n  t: 'police AND'\n".utf8).write(to: bad)
        let r = try BinaryRunner.run(["classify", "--config", bad.path, feed])
        #expect(r.status == 78)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("bad.yaml:2:17: error: topic \"t\": the query ends where a word, a phrase or '(' was expected"))
    }

    @Test func fetchesAURLAndMatchesTopicsRestrictedToIt() throws {
        let server = try FeedServer()
        let dir = try BinaryRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            feeds:
              - {url: '\(server.url("/feed.xml"))', name: Gazette}
            topics:
              ibm: 'IBM AND "facial recognition"'
              gazette-only: {query: 'feed:gazette AND facial*', feeds: [Gazette]}
            """.utf8).write(to: config)
        let r = try BinaryRunner.run(["classify", "--config", config.path, server.url("/feed.xml"), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let items = try #require(doc["items"] as? [[String: Any]])
        let ibm = try #require(items.first { $0["title"] as? String == "IBM quits facial recognition" })
        #expect(ibm["topics"] as? [String] == ["ibm", "gazette-only"])
        #expect(try BinaryRunner.run(["classify", "--config", config.path, server.url("/missing")]).status == 66)
    }

    @Test func readsStandardInputToo() throws {
        let doc = "<rss><channel><title>x</title><item><title>Police news</title></item></channel></rss>"
        let r = try BinaryRunner.run(["classify", "--config", config, "-", "--format", "json"], stdin: Data(doc.utf8))
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"police\""))
    }
}

/// `feedwatch check-config`: the summary, every error with a caret, exit 78, and where the config
/// is looked for.
@Suite struct CheckConfigCommandTests {
    @Test func summarisesAValidConfig() throws {
        let config = BinaryRunner.classifyFixtures.appendingPathComponent("feedwatch.yaml")
        let r = try BinaryRunner.run(["check-config", "--config", config.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("\(config.path): OK\n"))
        #expect(r.stdout.contains("feeds: 2\n  Press  \(BinaryRunner.classifyFixtures.appendingPathComponent("press.xml").absoluteString)\n"))
        // Queries come back with their precedence spelled out.
        #expect(r.stdout.contains(#"police-face-surveillance  ("facial recognition" OR "face recognition") AND (police OR "law enforcement") AND NOT "face id""#))
        #expect(r.stdout.contains("  stemmed                   police  (stems: en)\n"))
        #expect(r.stdout.contains("sinks: 1\n  stdout, text\n"))
    }

    @Test func reportsEveryErrorWithACaretAndExits78() throws {
        let dir = try BinaryRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("feedwatch.yaml")
        try Data("poll:\n  timeout: soon\ntopics:\n  a: '\"facial recognition\" AND (police'\n".utf8).write(to: file)
        let r = try BinaryRunner.run(["check-config", "--config", file.path])
        #expect(r.status == 78)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == """
            \(file.path):2:12: error: poll.timeout: "soon" is not a duration (examples: 90s, 15m, 1h, 7d)
                  timeout: soon
                           ^
            \(file.path):4:32: error: topic "a": '(' is never closed
                  a: '"facial recognition" AND (police'
                                               ^
            feedwatch: 2 errors in \(file.path)

            """)
    }

    @Test func findsTheConfigByEnvironmentThenWorkingDirectory() throws {
        let dir = try BinaryRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("topics:\n  here: x\n".utf8).write(to: dir.appendingPathComponent("feedwatch.yaml"))
        let other = dir.appendingPathComponent("other.yaml")
        try Data("topics:\n  env: y\n".utf8).write(to: other)

        let local = try BinaryRunner.run(["check-config"], cwd: dir, environment: ["FEEDWATCH_CONFIG": nil])
        #expect(local.status == 0)
        #expect(local.stdout.contains("  here  x\n"))
        let env = try BinaryRunner.run(["check-config"], cwd: dir, environment: ["FEEDWATCH_CONFIG": other.path])
        #expect(env.stdout.contains("  env  y\n"))
        let flag = try BinaryRunner.run(["check-config", "--config", "feedwatch.yaml"], cwd: dir, environment: ["FEEDWATCH_CONFIG": other.path])
        #expect(flag.stdout.contains("  here  x\n"))

        let empty = try BinaryRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        let none = try BinaryRunner.run(["check-config"], cwd: empty, environment: ["FEEDWATCH_CONFIG": nil])
        // /etc/feedwatch/feedwatch.yaml is the last resort; on a test machine there is none.
        if !FileManager.default.fileExists(atPath: "/etc/feedwatch/feedwatch.yaml") {
            #expect(none.status == 78)
            #expect(none.stderr.contains("no config file"))
        }
        let missing = try BinaryRunner.run(["check-config", "--config", "nope.yaml"], cwd: empty)
        #expect(missing.status == 78)
        #expect(missing.stderr.hasPrefix("nope.yaml: error: cannot read config: No such file or directory\n"))
    }
}
