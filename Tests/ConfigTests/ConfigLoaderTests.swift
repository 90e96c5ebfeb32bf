import Config
import Glibc
import Testing
import TopicQuery

/// The config reader on text: the contract's example, defaults, and where errors point.
@Suite struct ConfigLoaderTests {
    private func load(_ yaml: String, file: String = "/etc/fw/feedwatch.yaml") throws -> Config {
        try ConfigLoader.parse(yaml, file: file)
    }

    /// The errors of a config that must not load.
    private func errors(_ yaml: String) -> [ConfigError] {
        do {
            _ = try ConfigLoader.parse(yaml, file: "c.yaml")
            Issue.record("config loaded but should not have")
            return []
        } catch {
            return error.errors
        }
    }

    /// The one error, as `line:column message`.
    private func error(_ yaml: String) -> String {
        let all = errors(yaml)
        #expect(all.count == 1, "\(all)")
        guard let e = all.first else { return "" }
        return "\(e.line ?? 0):\(e.column ?? 0) \(e.message)"
    }

    static let contractExample = """
        state: ./feedwatch.sqlite        # SQLite store
        first_fetch_window: 48h
        poll:
          interval: 15m
          concurrency: 32
          per_host: 2
          timeout: 30s
          max_body: 10MB
        feeds:
          - url: https://www.theverge.com/rss/index.xml
            name: The Verge              # optional
            interval: 10m                # optional
          - opml: ./feeds.opml           # every feed in an OPML file
        topics:
          facial-recognition: '"facial recognition" OR "face recognition" OR "face surveillance"'
          police: 'police OR policing OR "law enforcement"'
          police-face-surveillance: '("facial recognition" OR "face recognition") AND (police OR "law enforcement") NOT "face id"'
        sinks:
          - stdout: {format: text}       # text | json
          - file: {path: ./alerts.jsonl} # JSON Lines, appended
          - digest: {path: ./digest.log, every: 1h}
          - webhook: {url: https://hooks.example.org/x, secret_env: FEEDWATCH_WEBHOOK_SECRET, topics: [police-face-surveillance]}
        """

    /// A directory holding the `feeds.opml` the contract's example names (one feed).
    static let exampleDirectory: String = {
        let dir = "/tmp/feedwatch-contract-\(UInt64.random(in: 0..<UInt64.max))"
        _ = mkdirForTest(dir)
        try? writeForTest(dir + "/feeds.opml", Array("""
            <opml version="1.0"><body><outline text="EFF" xmlUrl="https://www.eff.org/rss/updates.xml"/></body></opml>
            """.utf8))
        return dir
    }()

    @Test func readsTheContractExample() throws {
        let dir = Self.exampleDirectory
        let c = try load(Self.contractExample, file: dir + "/feedwatch.yaml")
        #expect(c.state == dir + "/feedwatch.sqlite")
        #expect(c.firstFetchWindow == .seconds(48 * 3_600))
        #expect(c.poll == PollSettings(interval: 900, concurrency: 32, perHost: 2, timeout: 30, maxBody: 10 << 20))
        #expect(c.feeds == [
            .feed(FeedSource(url: "https://www.theverge.com/rss/index.xml", name: "The Verge", interval: 600)),
            .opml(path: dir + "/feeds.opml"),
            .feed(FeedSource(url: "https://www.eff.org/rss/updates.xml", name: "EFF")),
        ])
        #expect(c.topics.map(\.name) == ["facial-recognition", "police", "police-face-surveillance"])
        #expect(c.topics[2].query.description
            == #"("facial recognition" OR "face recognition") AND (police OR "law enforcement") AND NOT "face id""#)
        #expect(c.sinks == [
            SinkConfig(kind: .stdout(format: .text), topics: nil),
            SinkConfig(kind: .file(path: dir + "/alerts.jsonl"), topics: nil),
            SinkConfig(kind: .digest(path: dir + "/digest.log", everySeconds: 3_600), topics: nil),
            SinkConfig(kind: .webhook(.init(url: "https://hooks.example.org/x", secretEnv: "FEEDWATCH_WEBHOOK_SECRET")),
                       topics: ["police-face-surveillance"]),
        ])
    }

    @Test func defaultsForWhatIsLeftOut() throws {
        let c = try load("topics:\n  all: '*'\n")
        #expect(c.state == nil)
        #expect(c.firstFetchWindow == .seconds(172_800))
        #expect(c.poll == PollSettings())
        #expect(c.feeds.isEmpty)
        #expect(c.topics == [Topic(name: "all", query: .matchAll)])
        #expect(c.sinks == [SinkConfig(kind: .stdout(format: .text), topics: nil)])
        #expect(try load("first_fetch_window: all\n").firstFetchWindow == .all)
        #expect(c.keepDays == 90)
        #expect(try load("store: {keep_days: 30}\n").keepDays == 30)
    }

    @Test func topicObjectsRestrictToFeedsByNameOrURL() throws {
        let c = try load("""
            feeds:
              - {url: https://a.example/feed, name: A}
              - url: https://b.example/feed
            topics:
              t: {query: police, feeds: [A, "https://b.example/feed"]}
              u: {feeds: A, query: 'title:x'}
            """)
        #expect(c.topics[0].feeds == ["A", "https://b.example/feed"])
        #expect(c.topics[1].feeds == ["A"])
        #expect(error("feeds:\n  - {url: https://a.example/feed, name: A}\ntopics:\n  t: {query: x, feeds: [B]}\n")
            == #"4:25 topic "t": feeds[0] "B" is neither the name nor the url of a configured feed"#)
    }

    @Test func topicsMayStemInALanguage() throws {
        let c = try load("topics:\n  p: {query: police, language: en}\n")
        #expect(c.topics == [Topic(name: "p", query: .term(QueryTerm(text: "police", kind: .word, range: 0..<6)), language: "en")])
        let e = error("topics:\n  p: {query: police, language: klingon}\n")
        #expect(e.hasPrefix(#"2:32 topic "p": no stemmer for language "klingon" (known: arabic, "#), "\(e)")
    }

    @Test func opmlFilesAddTheirFeeds() throws {
        let dir = "/tmp/feedwatch-opml-\(UInt64.random(in: 0..<UInt64.max))"
        try #require(mkdirForTest(dir))
        let opml = """
            <?xml version="1.0" encoding="ISO-8859-1"?>
            <opml version="2.0"><head><title>Subscriptions</title></head><body>
              <outline text="Tech">
                <outline text="The Verge" title="The Verge" type="rss" xmlUrl="https://www.theverge.com/rss/index.xml"/>
                <outline text="Nested"><outline text="Caf\u{E9} news" type="rss" xmlUrl="https://cafe.example/feed"/></outline>
              </outline>
              <outline text="A mailing list" xmlUrl="mailto:list@example.org"/>
              <outline text="Duplicate" xmlUrl="https://a.example/feed"/>
            </body></opml>
            """
        try writeForTest(dir + "/feeds.opml", Array(opml.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }))
        let c = try load("""
            feeds:
              - opml: feeds.opml
              - {url: https://a.example/feed, name: A, interval: 5m}
            topics:
              t: {query: x, feeds: [The Verge]}
            """, file: dir + "/feedwatch.yaml")
        #expect(c.feeds == [
            .opml(path: dir + "/feeds.opml"),
            .feed(FeedSource(url: "https://a.example/feed", name: "A", interval: 300)),
            .feed(FeedSource(url: "https://www.theverge.com/rss/index.xml", name: "The Verge")),
            .feed(FeedSource(url: "https://cafe.example/feed", name: "Caf\u{E9} news")),
        ])
        // An outline that is not a feed URL is left out, and said, with its line.
        #expect(c.warnings == ["\(dir)/feeds.opml:7: outline \"A mailing list\" skipped: its xmlUrl \"mailto:list@example.org\" is not an http(s) URL"])

        try writeForTest(dir + "/not.opml", Array("<rss><channel/></rss>".utf8))
        #expect(error("feeds:\n  - opml: \(dir)/not.opml\n") == "2:11 \(dir)/not.opml is not OPML: its root is <rss>")
        #expect(error("feeds:\n  - opml: \(dir)/missing.opml\n") == "2:11 cannot read OPML file: No such file or directory: \(dir)/missing.opml")
    }

    @Test func environmentVariablesAreExpandedInValues() throws {
        let env = ["HOOK": "https://hooks.example.org/x", "DIR": "/var/lib/fw"]
        let c = try ConfigLoader.parse("""
            state: ${DIR}/state.sqlite
            sinks:
              - webhook: {url: '${HOOK}', secret_env: SECRET}
            topics:
              t: '"${NOT_EXPANDED}"'
            """, file: "/etc/fw/f.yaml", environment: { env[$0] })
        #expect(c.state == "/var/lib/fw/state.sqlite")
        #expect(c.sinks == [SinkConfig(kind: .webhook(.init(url: "https://hooks.example.org/x", secretEnv: "SECRET")))])
        do {
            _ = try ConfigLoader.parse("state: ${MISSING}/x\npoll: {interval: '${BAD NAME}'}\n", file: "c.yaml", environment: { _ in nil })
            Issue.record("loaded")
        } catch {
            #expect(error.errors.map(\.description) == [
                "c.yaml:1:8: state: environment variable MISSING is not set",
                #"c.yaml:2:18: poll.interval: "${BAD NAME}" is not an environment variable name"#,
            ])
        }
    }

    @Test func localFeedsBecomeFileURLsAgainstTheConfigDirectory() throws {
        let c = try load("feeds:\n  - url: feeds/a.xml\n  - url: /srv/b.xml\n  - url: file:///srv/../srv/c d.xml\n", file: "/etc/fw/x.yaml")
        #expect(c.feeds == [
            .feed(FeedSource(url: "file:///etc/fw/feeds/a.xml")),
            .feed(FeedSource(url: "file:///srv/b.xml")),
            .feed(FeedSource(url: "file:///srv/c%20d.xml")),
        ])
    }

    @Test func durationsAndSizes() {
        #expect(DurationValue.seconds("90s") == 90)
        #expect(DurationValue.seconds("15m") == 900)
        #expect(DurationValue.seconds("1h") == 3_600)
        #expect(DurationValue.seconds("7d") == 604_800)
        #expect(DurationValue.seconds("1h30m") == 5_400)
        #expect(DurationValue.seconds("2W") == 1_209_600)
        for bad in ["", "15", "m", "0s", "1.5h", "-5m", "15 minutes", "99999999999999999999d"] {
            #expect(DurationValue.seconds(bad) == nil, "\(bad)")
        }
        #expect(ByteSize.parse("10MB") == 10 << 20)
        #expect(ByteSize.parse("512KB") == 512 << 10)
        #expect(ByteSize.parse("512k") == 512 << 10)
        #expect(ByteSize.parse("65536") == 65_536)
        for bad in ["", "MB", "0MB", "-1KB", "1.5MB", "10 XB"] { #expect(ByteSize.parse(bad) == nil, "\(bad)") }
    }

    // MARK: Where errors point

    @Test func adaptivePollingIsOptIn() throws {
        #expect(try load("feeds: []\n").poll.adaptive == false)
        let poll = try load("poll: {adaptive: true, min_interval: 5m, max_interval: 2d}\n").poll
        #expect(poll.adaptive && poll.minInterval == 300 && poll.maxInterval == 172_800)
        #expect(try load("poll: {adaptive: yes}\n").poll.minInterval == nil)
        #expect(error("poll:\n  adaptive: sometimes\n") == #"2:13 poll.adaptive: "sometimes" is not true or false"#)
    }

    @Test func deliverySinksAndHealthSettings() throws {
        let c = try load("""
            topics: {t: x}
            health: {failing_after: 3, silent_after: 5}
            sinks:
              - webhook: {url: 'https://h.example/x', format: slack, timeout: 5s, max_attempts: 4, max_age: 2h, health: true}
              - webhook: {url: 'https://h.example/y', batch: 20}
              - exec: {command: [/usr/bin/logger, -t, fw], topics: [t]}
            """)
        #expect(c.health == HealthSettings(failingAfter: 3, silentAfter: 5))
        #expect(c.sinks[0] == SinkConfig(kind: .webhook(.init(url: "https://h.example/x", format: .slack)),
                                         retry: .init(timeout: 5, maxAttempts: 4, maxAge: 7_200), health: true))
        #expect(c.sinks[1].kind == .webhook(.init(url: "https://h.example/y", batch: 20)) && c.sinks[1].retry == SinkConfig.Retry())
        #expect(c.sinks[2] == SinkConfig(kind: .exec(command: ["/usr/bin/logger", "-t", "fw"]), topics: ["t"],
                                         retry: .init(timeout: 30), health: false))
        #expect(error("sinks:\n  - exec: {command: []}\n") == "2:21 sinks[0].exec.command: needs a program (a list: [program, arguments…])")
        #expect(error("sinks:\n  - webhook: {url: 'https://h/x', format: teams}\n")
            == "2:43 sinks[0].webhook.format: \"teams\" is not one of json, slack, discord, ntfy")
        #expect(error("sinks:\n  - webhook: {url: 'https://h/x', format: ntfy, batch: 5}\n")
            == "2:56 sinks[0].webhook.batch: only the json format sends batches")
        #expect(error("health: {failing_after: 0}\n") == "1:25 health.failing_after: \"0\" is not a whole number from 1 to 1000")
        #expect(error("sinks:\n  - file: {path: a, health: maybe}\n") == "2:29 sinks[0].file.health: \"maybe\" is not true or false")
    }

    @Test func storySettingsAndPolicies() throws {
        #expect(try load("feeds: []\n").stories == StorySettings())
        let c = try load("""
            stories: {window: 48h, threshold: 0.2}
            sinks:
              - file: {path: a, stories: first}
              - webhook: {url: 'https://h.example/x', stories: milestones}
              - stdout: {}
            """)
        #expect(c.stories == StorySettings(window: 172_800, threshold: 0.2))
        #expect(c.sinks.map(\.stories) == [.first, .milestones, .every])
        #expect(error("stories: {threshold: 2}\n") == #"1:22 stories.threshold: "2" is not a number between 0 and 1 (the default is tuned; see BENCHMARKS.md)"#)
        #expect(error("stories: {window: soon}\n") == #"1:19 stories.window: "soon" is not a duration (examples: 90s, 15m, 1h, 7d)"#)
        #expect(error("sinks:\n  - file: {path: a, stories: all}\n") == #"2:30 sinks[0].file.stories: "all" is not one of every, first, milestones"#)
        #expect(error("stories: {windows: 1h}\n").hasPrefix(#"1:11 stories: unknown key "windows" (did you mean "window"?)"#))
    }

    @Test func unknownKeysPointAtTheKeyAndSuggest() {
        #expect(error("poll:\n  intervall: 15m\n")
            == #"2:3 poll: unknown key "intervall" (did you mean "interval"?); known: interval, concurrency, per_host, timeout, max_body, max_interval, min_interval, adaptive"#)
        #expect(error("topic:\n  a: x\n").hasPrefix(#"1:1 the config: unknown key "topic" (did you mean "topics"?)"#))
        #expect(error("sinks:\n  - slack: {url: x}\n").hasPrefix(#"2:5 sinks: unknown key "slack""#))
    }

    @Test func badValuesPointAtTheValue() {
        #expect(error("poll:\n  timeout: 30\n") == #"2:12 poll.timeout: "30" is not a duration (examples: 90s, 15m, 1h, 7d)"#)
        #expect(error("poll: {max_body: lots}\n") == #"1:18 poll.max_body: "lots" is not a size (examples: 512KB, 10MB)"#)
        #expect(error("poll:\n  per_host: 0\n") == #"2:13 poll.per_host: "0" is not a whole number from 1 to 100"#)
        #expect(error("feeds:\n  - url: gopher://x.org/\n") == "2:10 feeds[0].url: only http, https and file URLs (or a local path) can be polled")
        #expect(error("feeds:\n  - name: x\n") == "2:5 feeds[0]: needs a url (or an opml path)")
        #expect(error("feeds: https://x.org/feed\n") == #"1:8 feeds must be a list (lines starting with "- ")"#)
        #expect(error("sinks:\n  - stdout: {format: xml}\n") == #"2:22 sinks[0].stdout.format: "xml" is not text or json"#)
        #expect(error("topics:\n  a: x\nsinks:\n  - file: {path: a, topics: [b]}\n") == #"4:30 sinks[0].file.topics[0]: no topic is named "b""#)
        #expect(error("feeds:\n  - url: https://a.org/f\n  - url: https://a.org/f\n") == "3:10 feeds[1]: https://a.org/f is already listed at line 2")
    }

    @Test func yamlSyntaxErrorsCarryLibyamlsPosition() {
        let e = error("topics:\n  a: 'unterminated\n")
        #expect(e.hasPrefix("3:1 invalid YAML:"), "\(e)")
        #expect(error("topics:\n  a: x\n  a: y\n") == #"3:3 invalid YAML: key "a" appears twice in one mapping (first at line 2)"#)
        #expect(error("topics: {a: x}\n---\ntopics: {b: y}\n").hasPrefix("2:1 invalid YAML: the config must be a single YAML document"))
        #expect(error("topics:\n  a: *nothing\n") == "2:6 invalid YAML: alias *nothing names no anchor defined before it")
        #expect(error("- just\n- a list\n") == "1:1 the config must be a mapping (key: value lines)")
    }

    @Test func queryErrorsPointIntoTheQueryWhateverItsQuoting() {
        // Plain, single-quoted (with '' inside), double-quoted (with escapes), flow and block styles.
        #expect(error("topics:\n  a: x AND (y\n") == "2:12 topic \"a\": '(' is never closed")
        #expect(error("topics:\n  a: 'it''s AND (y'\n") == "2:17 topic \"a\": '(' is never closed")
        #expect(error("topics:\n  a: \"\\\"x\\\" AND (y\"\n") == "2:17 topic \"a\": '(' is never closed")
        #expect(error("topics:\n  a: {query: 'x OR (y', feeds: []}\n") == "2:20 topic \"a\": '(' is never closed")
        #expect(error("topics:\n  a: >\n    x AND\n    (y OR\n") == "4:10 topic \"a\": the query ends where a word, a phrase or '(' was expected")
        #expect(error("topics:\n  a: |\n    x AND\n    y:z\n") == #"4:5 topic "a": unknown field "y" (fields: title, summary, content, author, category, feed)"#)
        #expect(error("topics:\n  a: 'x OR \"--\"'\n") == #"2:12 topic "a": "--" has no letters or digits to match"#)
        #expect(error("topics:\n  a: ''\n") == "2:7 topic \"a\": empty query")
    }

    @Test func anchorsAndAliasesWork() throws {
        let c = try load("poll: &p {interval: 5m}\ntopics:\n  a: &q police\n  b: *q\n")
        #expect(c.poll.interval == 300)
        #expect(c.topics.map(\.query.description) == ["police", "police"])
    }

    @Test func everyErrorIsReportedNotJustTheFirst() {
        let all = errors("poll:\n  timeout: 1\n  interval: x\ntopics:\n  a: (\n  b: ok\n  c: ')'\n")
        #expect(all.map { $0.line ?? 0 } == [2, 3, 5, 7])
    }

    @Test func excerptHasACaretUnderTheColumn() throws {
        let e = try #require(errors("topics:\n  a: x AND (y\n").first)
        #expect(e.excerpt == "  a: x AND (y\n           ^")
        #expect(e.description == "c.yaml:2:12: topic \"a\": '(' is never closed")
    }

    @Test func locateFollowsTheContractOrder() {
        let both: Set<String> = ["./feedwatch.yaml", "/etc/feedwatch/feedwatch.yaml"]
        #expect(Config.locate(explicit: "x.yaml", environment: ["FEEDWATCH_CONFIG": "y.yaml"], exists: both.contains) == "x.yaml")
        #expect(Config.locate(explicit: nil, environment: ["FEEDWATCH_CONFIG": "y.yaml"], exists: both.contains) == "y.yaml")
        #expect(Config.locate(explicit: nil, environment: [:], exists: both.contains) == "./feedwatch.yaml")
        #expect(Config.locate(explicit: nil, environment: [:], exists: { $0.hasPrefix("/etc") }) == "/etc/feedwatch/feedwatch.yaml")
        #expect(Config.locate(explicit: nil, environment: [:], exists: { _ in false }) == nil)
    }

    @Test func aMissingFileIsAnErrorNamingIt() {
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/feedwatch.yaml")
            Issue.record("loaded")
        } catch {
            #expect(error.description == "/nonexistent/feedwatch.yaml: cannot read config: No such file or directory")
        }
    }
}

/// Plain file helpers for the OPML test (the module under test reads files with Glibc too).
func mkdirForTest(_ path: String) -> Bool { mkdir(path, 0o755) == 0 }

func writeForTest(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw ConfigError(file: path, message: "cannot write") }
    defer { close(fd) }
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
