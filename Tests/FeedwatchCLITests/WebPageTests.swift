import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import Testing

/// The web page, Atom feed, API and /metrics through the real binaries: a store filled by
/// `feedwatch once` from the loopback feed server, then `feedwatch serve` (and `run` with
/// `http:`) on 127.0.0.1 with a free port. Atom is read back by `feedwatch parse`, the metrics by
/// prometheus_client's parser, the page by a real headless chromium.
@Suite(.serialized) struct WebPageTests {
    private let dir: URL
    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    static let hostile = "<script>alert(1)</script> & Co"

    private static func date(hoursAgo: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: Date(timeIntervalSinceNow: -hoursAgo * 3_600))
    }

    private static func iso(hoursAgo: Double) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date(timeIntervalSinceNow: -hoursAgo * 3_600))
    }

    private func rss(_ name: String, outlet: String, _ items: [(String, String, String, Double)]) throws {
        let body = items.map { i in
            "<item><guid isPermaLink=\"false\">\(i.2)</guid><title>\(i.0)</title><description>\(i.1)</description>"
                + "<link>https://\(name).example/\(i.2)</link><pubDate>\(Self.date(hoursAgo: i.3))</pubDate></item>"
        }.joined()
        try Data("<rss version=\"2.0\"><channel><title>\(outlet)</title>\(body)</channel></rss>".utf8).write(to: dir.appendingPathComponent(name + ".xml"))
    }

    /// Two outlets covering one event, a one-off, and a story whose title is hostile markup (kept
    /// literally, as Atom `type="text"`).
    private func feeds() throws {
        let escaped = Self.hostile.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        try Data("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile Wire</title><id>urn:hostile</id><updated>\(Self.iso(hoursAgo: 7))</updated>
            <entry><id>urn:h1</id><title type="text">\(escaped): council votes on the police budget</title>
            <summary>The city council debated the police budget for next year.</summary>
            <link href="javascript:alert(2)"/><published>\(Self.iso(hoursAgo: 7))</published><updated>\(Self.iso(hoursAgo: 7))</updated></entry></feed>
            """.utf8).write(to: dir.appendingPathComponent("hostile.xml"))
        try rss("verge", outlet: "The Verge", [
            ("Amazon bans police use of its Rekognition facial recognition for a year", "Amazon announced a one-year moratorium on police use of Rekognition.", "v2", 6),
            ("Police department buys new patrol cars", "The city police ordered twelve electric patrol cars.", "v3", 2),
        ])
        try rss("reuters", outlet: "Reuters", [
            ("Amazon pauses police use of Rekognition facial recognition software", "The one-year moratorium on Rekognition follows criticism of its accuracy.", "r2", 5),
        ])
    }

    /// `state`: the store (default: an SQLite file in the test's directory).
    private func config(http: String, server: FeedServer, state: String? = nil) throws -> String {
        let file = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            state: \(state ?? dir.appendingPathComponent("state.sqlite").path)
            first_fetch_window: all
            feeds:
              - url: \(server.url("/files/hostile.xml"))
                name: Hostile Wire
              - url: \(server.url("/files/verge.xml"))
                name: The Verge
              - url: \(server.url("/files/reuters.xml"))
                name: Reuters
            topics:
              police: police
              facial-recognition: '"facial recognition"'
            sinks:
              - file: {path: \(dir.appendingPathComponent("alerts.jsonl").path)}
            http: \(http)
            """.utf8).write(to: file)
        return file.path
    }

    /// A started `feedwatch serve` or `run`, with the port it logged.
    private final class Served {
        let process: Process
        let port: Int
        let log: URL
        /// `descriptors`: a hard limit on the server's open files (through util-linux's `prlimit`).
        init(_ arguments: [String], dir: URL, environment: [String: String] = [:], descriptors: Int? = nil) throws {
            process = Process()
            if let descriptors {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
                process.arguments = ["--nofile=\(descriptors):\(descriptors)", BinaryRunner.binary.path] + arguments
            } else {
                process.executableURL = BinaryRunner.binary
                process.arguments = arguments
            }
            process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["FEEDWATCH_LOG_LEVEL": "debug"]) { a, _ in a }) { _, new in new }
            log = dir.appendingPathComponent("serve-\(UUID().uuidString).log")
            try Data().write(to: log)
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            var found: Int?
            while found == nil && Date() < deadline && process.isRunning {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                if let r = text.range(of: #"serving http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) {
                    found = Int(text[r].split(separator: ":").last!.dropLast())
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            guard let found else {
                process.terminate()
                throw Failure(message: "no port logged: " + ((try? String(contentsOf: log, encoding: .utf8)) ?? ""))
            }
            port = found
        }
        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitUntilExit()
        }
        deinit { stop() }
    }

    struct Failure: Error { var message: String }

    private struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    private func get(_ port: Int, _ path: String, method: String = "GET", headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var out: [String: String] = [:]
        for (k, v) in http.allHeaderFields { out[String(describing: k).lowercased()] = String(describing: v) }
        return Reply(status: http.statusCode, headers: out, body: String(decoding: data, as: UTF8.self))
    }

    private func python(_ script: String, _ arguments: [String], stdin: String = "") throws -> BinaryRunner.Result {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Servers/" + script).path
        return try BinaryRunner.runProcessWithInput("/usr/bin/env", ["python3", path] + arguments, stdin: Data(stdin.utf8))
    }

    /// A helper that exits 3 is missing its library: skipped outside CI, a failure in CI.
    private func available(_ result: BinaryRunner.Result, _ what: String) -> Bool {
        guard result.status == 3 else { return true }
        let ci = ProcessInfo.processInfo.environment["CI"] == "true"
        if ci { Issue.record("\(what) must run in CI: \(result.stderr)") } else { print("skipped: \(what): \(result.stderr)") }
        return false
    }

    private func stored(_ config: String) throws {
        let once = try BinaryRunner.run(["once", "--config", config])
        try #require(once.status == 0, "\(once.stderr)")
    }

    /// A fleet's dashboard: `serve` reads a PostgreSQL store that `once` filled, through the
    /// same read model; it is no node of the fleet, and it reconnects when its connection is cut.
    @Test(.enabled(if: PostgresCluster.skipReason == nil || PostgresCluster.required, Comment(rawValue: PostgresCluster.skipReason ?? "")))
    func aFleetsDashboardOnPostgreSQL() async throws {
        let cluster = try PostgresCluster.shared.get()
        let uri = try cluster.createDatabase("web")
        let server = try FeedServer(arguments: [dir.path])
        try feeds()
        let config = try config(http: "{listen: '127.0.0.1:0'}", server: server, state: uri)
        try stored(config)
        let served = try Served(["serve", "--config", config], dir: dir)
        #expect(served.logText.contains("(store \(uri))"), "\(served.logText)")

        let api = try await get(served.port, "/api/stories?since=7d&limit=50")
        #expect(api.status == 200 && api.headers["content-type"] == "application/json")
        let stories = try #require(try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [[String: Any]])
        let cli = try BinaryRunner.run(["stories", "--config", config, "--json", "--since", "7d"]).stdout.split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(!stories.isEmpty && stories.map { $0["id"] as? String } == cli.map { $0["id"] as? String })
        #expect(stories.map { $0["size"] as? Int } == cli.map { $0["size"] as? Int })
        #expect((stories.first?["size"] as? Int ?? 0) >= 2, "the three outlets' coverage is one story: \(stories)")
        let one = try await get(served.port, "/stories/" + (stories.first?["id"] as? String ?? ""))
        #expect(one.status == 200 && one.body.contains("Items by publication time"))
        let feedList = try #require(try JSONSerialization.jsonObject(with: Data(try await get(served.port, "/api/feeds").body.utf8)) as? [[String: Any]])
        #expect(feedList.count == 3 && feedList.allSatisfy { $0["health"] as? String == "ok" })
        #expect(try await get(served.port, "/healthz").body == "ok\n")
        let metrics = try await get(served.port, "/metrics").body
        #expect(metrics.contains("feedwatch_store_items 4") && metrics.contains("feedwatch_store_alerts 4"), "\(metrics)")
        #expect(metrics.contains("feedwatch_stories_open \(stories.count)"), "\(metrics)")
        // The page reads; it is not counted among the nodes that share the feeds.
        #expect(try cluster.psql(uri, "SELECT count(*) FROM fleet_nodes WHERE node = 'feedwatch-web'").trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        // Its connection cut (a server restart, a failover): /healthz fails once, then the
        // next request connects again.
        _ = try cluster.psql(uri, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        var health: [Int] = []
        for _ in 0..<3 { health.append(try await get(served.port, "/healthz").status) }
        #expect(health == [503, 200, 200], "\(health)")
        served.stop()
    }

    @Test func everyEndpointOverAStoreWithoutPolling() async throws {
        let server = try FeedServer(arguments: [dir.path])
        try feeds()
        let config = try config(http: "{listen: '127.0.0.1:0'}", server: server)
        try stored(config)
        let requestsBefore = server.requests.count
        let served = try Served(["serve", "--config", config], dir: dir)

        let page = try await get(served.port, "/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        let csp = try #require(page.headers["content-security-policy"])
        #expect(csp.contains("default-src 'none'") && csp.contains("style-src 'self'") && !csp.contains("unsafe"))
        #expect(page.body.contains("Amazon bans police use of its Rekognition") || page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the hostile title is text")
        #expect(!page.body.contains("<script"), "no script element, from a feed or of our own")
        #expect(!page.body.contains("javascript:"))
        #expect(page.body.contains("<svg class=\"timeline\" role=\"img\""))
        #expect(page.body.contains("Feed health") && page.body.contains("Outbox") && page.body.contains("Topics per day"))

        // The API is `stories --json`, as an array.
        let api = try await get(served.port, "/api/stories?since=7d&limit=50")
        #expect(api.status == 200 && api.headers["content-type"] == "application/json")
        let stories = try #require(try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [[String: Any]])
        let cli = try BinaryRunner.run(["stories", "--config", config, "--json", "--since", "7d"]).stdout.split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(stories.map { $0["id"] as? String } == cli.map { $0["id"] as? String })
        // Object for object, every field: one story, one face, whichever way it is read.
        #expect(stories.count == cli.count)
        for (web, line) in zip(stories, cli) {
            #expect(NSDictionary(dictionary: web).isEqual(to: line), "/api/stories \(web) against stories --json \(line)")
        }
        let big = try #require(stories.first)
        #expect((big["size"] as? Int ?? 0) >= 2, "the three outlets' coverage is one story: \(stories)")
        #expect(try await get(served.port, "/api/stories?limit=1").body.hasPrefix("[{"))
        #expect(try await get(served.port, "/api/stories?since=forever").status == 400)

        let one = try await get(served.port, "/stories/" + (big["id"] as! String))
        #expect(one.status == 200)
        #expect(one.body.contains("Items by publication time") && one.body.contains("<svg class=\"timeline\""))
        #expect(one.body.contains("href=\"https://verge.example/v2\"") || one.body.contains("href=\"https://reuters.example/r2\""))
        #expect(!one.body.contains("<script") && !one.body.contains("javascript:"))
        #expect(try await get(served.port, "/stories/st_nonexistent").status == 404)
        #expect(try await get(served.port, "/nowhere").status == 404)

        let feedsJSON = try await get(served.port, "/api/feeds")
        let feedList = try #require(try JSONSerialization.jsonObject(with: Data(feedsJSON.body.utf8)) as? [[String: Any]])
        #expect(feedList.count == 3 && feedList.allSatisfy { $0["health"] as? String == "ok" })

        // Atom, read back by Feedwatch's own parser: an entry per story.
        let atom = try await get(served.port, "/stories.atom")
        #expect(atom.status == 200 && atom.headers["content-type"] == "application/atom+xml; charset=utf-8")
        let parsed = try BinaryRunner.run(["parse", "-", "--format", "json"], stdin: Data(atom.body.utf8))
        #expect(parsed.status == 0, "\(parsed.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Any])
        #expect(doc["format"] as? String == "atom1.0")
        #expect(doc["warnings"] as? [String] == [], "well-formed: \(doc["warnings"] ?? "")")
        let entries = try #require(doc["items"] as? [[String: Any]])
        #expect(entries.count == stories.count)
        #expect(!atom.body.contains("<script"))
        #expect(entries.contains { (($0["title"] as? String ?? "") + ($0["content"] as? String ?? "")).contains("<script>alert(1)</script>") },
                "the hostile title survives as text: \(entries)")
        let police = try await get(served.port, "/stories.atom?topic=police")
        #expect(police.body.components(separatedBy: "<entry>").count - 1 == stories.filter { ($0["topics"] as? [String])?.contains("police") == true }.count)
        #expect(try await get(served.port, "/stories.atom?topic=nothing").body.components(separatedBy: "<entry>").count == 1)

        #expect(try await get(served.port, "/healthz").body == "ok\n")
        #expect(try await get(served.port, "/", method: "POST").status == 405)
        #expect(try await get(served.port, "/style.css").headers["content-type"] == "text/css; charset=utf-8")

        // Store figures, parsed by prometheus_client.
        let metrics = try await get(served.port, "/metrics")
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let check = try python("metrics_check.py", [], stdin: metrics.body)
        if available(check, "prometheus_client") {
            #expect(check.status == 0, "\(check.stderr)\n\(metrics.body)")
            let samples = try Self.samples(check.stdout)
            #expect(samples["feedwatch_feeds{health=ok}"] == 3)
            #expect(samples["feedwatch_feeds{health=failing}"] == 0)
            #expect(samples["feedwatch_store_items"] == 4)
            #expect(samples["feedwatch_store_alerts"] == 4)
            #expect(samples["feedwatch_stories_open"] == Double(stories.count))
            #expect(samples["feedwatch_outbox_pending{sink=file:\(dir.appendingPathComponent("alerts.jsonl").path)}"] == 0)
            #expect((samples["feedwatch_store_size_bytes"] ?? 0) > 0)
            #expect(samples["feedwatch_build_info{version=0.1.0}"] == 1)
            #expect((samples["feedwatch_process_start_time_seconds"] ?? 0) > 1.7e9)
            #expect(samples.keys.allSatisfy { $0.hasPrefix("feedwatch_") })
            #expect(samples.keys.contains { $0.hasPrefix("feedwatch_fetches_total") } == false, "serve fetched nothing")
        }
        #expect(server.requests.count == requestsBefore, "serve polls nothing")
        #expect(served.logText.contains("GET /api/feeds 200"), "request logs at debug")
        served.stop()
        #expect(served.process.terminationStatus == 0)
    }

    /// `name{label=value,…}` → value, labels sorted.
    static func samples(_ json: String) throws -> [String: Double] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        var out: [String: Double] = [:]
        for s in object["samples"] as? [[String: Any]] ?? [] {
            let labels = (s["labels"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            out[(s["name"] as! String) + (labels.isEmpty ? "" : "{" + labels.joined(separator: ",") + "}")] = s["value"] as? Double
        }
        return out
    }

    @Test func aTokenGuardsEverythingButTheHealthCheck() async throws {
        let server = try FeedServer(arguments: [dir.path])
        try feeds()
        let config = try config(http: "{listen: '127.0.0.1:0', token_env: FW_TEST_TOKEN}", server: server)
        try stored(config)
        let served = try Served(["serve", "--config", config], dir: dir, environment: ["FW_TEST_TOKEN": "correct-horse"])
        for path in ["/", "/api/stories", "/api/feeds", "/metrics", "/stories.atom", "/stories/x"] {
            let none = try await get(served.port, path)
            #expect(none.status == 401 && none.headers["www-authenticate"]?.hasPrefix("Bearer") == true, "\(path)")
            #expect(try await get(served.port, path, headers: ["Authorization": "Bearer correct-horsE"]).status == 401)
            #expect(try await get(served.port, path, headers: ["Authorization": "Bearer correct-hors"]).status == 401)
            #expect([200, 404].contains(try await get(served.port, path, headers: ["Authorization": "Bearer correct-horse"]).status))
        }
        #expect(try await get(served.port, "/healthz").status == 200)
        // Without the variable the config is refused, not served open.
        let refused = try BinaryRunner.run(["serve", "--config", config], environment: ["FW_TEST_TOKEN": nil])
        #expect(refused.status == 78 && refused.stderr.contains("FW_TEST_TOKEN"), "\(refused.stderr)")
    }

    @Test func aNetworkListenerWithoutATokenIsAConfigError() throws {
        let server = try FeedServer(arguments: [dir.path])
        try feeds()
        let config = try config(http: "{listen: '0.0.0.0:9464'}", server: server)
        let check = try BinaryRunner.run(["check-config", "--config", config])
        #expect(check.status == 78)
        #expect(check.stderr.contains("feedwatch.yaml:15:") && check.stderr.contains("token_env"), "\(check.stderr)")
        let bad = try self.config(http: "{listen: 'example.org:80'}", server: server)
        #expect(try BinaryRunner.run(["serve", "--config", bad]).status == 78)
        let none = dir.appendingPathComponent("none.yaml")
        try Data(try String(contentsOf: URL(fileURLWithPath: bad), encoding: .utf8).replacingOccurrences(of: "http: {listen: 'example.org:80'}", with: "").utf8).write(to: none)
        let serve = try BinaryRunner.run(["serve", "--config", none.path])
        #expect(serve.status == 78 && serve.stderr.contains("no http: section"), "\(serve.stderr)")
    }

    @Test func healthzIs503WhileTheStoreDoesNotAnswer() async throws {
        let server = try FeedServer(arguments: [dir.path])
        try feeds()
        let config = try config(http: "{listen: '127.0.0.1:0'}", server: server)
        try stored(config)
        let served = try Served(["serve", "--config", config], dir: dir)
        #expect(try await get(served.port, "/healthz").status == 200)
        let store = dir.appendingPathComponent("state.sqlite")
        let saved = try Data(contentsOf: store)
        try Data(repeating: 0x41, count: saved.count).write(to: store)
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("state.sqlite-wal"))
        let down = try await get(served.port, "/healthz")
        #expect(down.status == 503 && down.body.contains("does not answer"), "\(down.body)")
        #expect(try await get(served.port, "/").status == 503)
        try saved.write(to: store)
        #expect(try await get(served.port, "/healthz").status == 200, "answers again once the store does")
    }

    /// A client sending header lines without end is cut off within seconds, with a reset, and
    /// the server goes on answering everyone else; keep-alive requests on one connection are not
    /// taken for one big request. (Before, FlyingFox read such a head for as long as it came.)
    @Test func aRequestHeadWithoutEndIsCutOff() async throws {
        let server = try FeedServer(arguments: [dir.path])
        try feeds()
        let config = try config(http: "{listen: '127.0.0.1:0'}", server: server)
        try stored(config)
        let served = try Served(["serve", "--config", config], dir: dir)
        let script = """
            import socket, sys, time
            port = int(sys.argv[1])
            # 300 keep-alive requests on one connection, about 30 KB each way: all answered.
            s = socket.create_connection(("127.0.0.1", port))
            s.settimeout(10)
            answered = 0
            for n in range(300):
                s.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: x\\r\\nX-Pad: " + b"p" * 60 + b"\\r\\n\\r\\n")
                got = b""
                while b"\\r\\n\\r\\n" not in got or not got.endswith(b"ok\\n"):
                    chunk = s.recv(4096)
                    if not chunk: break
                    got += chunk
                answered += got.startswith(b"HTTP/1.1 200")
            s.close()
            print("answered", answered)
            # A head without end.
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n")
            line = b"X-Filler: " + b"a" * 100 + b"\\r\\n"
            sent, started = 0, time.monotonic()
            try:
                while time.monotonic() - started < 20:
                    s.sendall(line * 100)
                    sent += len(line) * 100
                print("open after", sent)
            except OSError as e:
                print("cut after %.1f s" % (time.monotonic() - started))
            """
        let flood = try BinaryRunner.runProcessWithInput("/usr/bin/env", ["python3", "-c", script, String(served.port)], stdin: Data())
        #expect(flood.stdout.contains("answered 300"), "\(flood.stdout) \(flood.stderr)")
        let cut = try #require(flood.stdout.split(separator: "\n").first { $0.hasPrefix("cut after") }, "\(flood.stdout) \(flood.stderr)")
        let seconds = try #require(Double(cut.split(separator: " ")[2]))
        #expect(seconds < 10, "cut within the watch's second or two, not after: \(cut)")
        #expect(served.logText.contains("closed the connection from 127.0.0.1:") && served.logText.contains("without an answer"), "\(served.logText)")
        #expect(try await get(served.port, "/healthz").status == 200, "still serving")
        // The watch looks at every descriptor of the process and must close none: closing one of
        // the store's drops the SQLite connection's POSIX locks (a `dup` and `close` of each,
        // once a second, did), and with them its claim that the WAL is in use.
        #expect(try await get(served.port, "/").status == 200)
        try await Task.sleep(for: .seconds(2.5))
        let pid = "\(served.process.processIdentifier)"
        let locks = try String(contentsOfFile: "/proc/locks", encoding: .utf8).split(separator: "\n")
            .filter { $0.split(separator: " ").dropFirst(4).first.map(String.init) == pid }
        #expect(!locks.isEmpty, "the server's SQLite locks are still held after the watch's passes")
    }

    /// Connections held open by the hundred: past `ConnectionBudget`'s 512 the idle ones are
    /// reset; and when a flood outruns the watch and the process runs out of descriptors, the
    /// server listens again once they are back. (Before, FlyingFox stopped accepting for good at
    /// the first failed `accept`: a live process answering nothing.)
    @Test func floodsOfConnectionsAreCappedAndNeverStopTheServer() async throws {
        let server = try FeedServer(arguments: [dir.path])
        try feeds()
        let config = try config(http: "{listen: '127.0.0.1:0'}", server: server)
        try stored(config)
        let script = """
            import socket, sys, time
            port, count, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
            held = []
            for n in range(count):
                try:
                    held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
                except OSError:
                    break
            time.sleep(hold)
            closed = 0
            for s in held:
                s.setblocking(False)
                try:
                    closed += s.recv(1) == b""
                except BlockingIOError:
                    pass
                except OSError:
                    closed += 1
                s.close()
            print("opened", len(held), "closed", closed)
            """
        // Over the cap: 600 idle connections, the 88 beyond it reset by the watch's next pass.
        let capped = try Served(["serve", "--config", config], dir: dir)
        let flood = try BinaryRunner.runProcessWithInput("/usr/bin/env", ["python3", "-c", script, String(capped.port), "600", "3.5"], stdin: Data())
        let figures = flood.stdout.split(whereSeparator: \.isWhitespace)
        #expect(figures.count == 4 && figures[1] == "600" && (Int(figures[3]) ?? 0) >= 88, "\(flood.stdout) \(flood.stderr)")
        #expect(capped.logText.contains("more than 512 connections open"), "\(capped.logText)")
        #expect(try await get(capped.port, "/healthz").status == 200, "still serving")
        capped.stop()

        // Out of descriptors (64 in all): the server stops accepting, then listens again.
        let starved = try Served(["serve", "--config", config], dir: dir, descriptors: 64)
        let starving = try BinaryRunner.runProcessWithInput("/usr/bin/env", ["python3", "-c", script, String(starved.port), "120", "2"], stdin: Data())
        #expect(starving.status == 0, "\(starving.stderr)")
        var answered = false
        for _ in 0..<20 where !answered {
            try await Task.sleep(for: .milliseconds(500))
            answered = (try? await get(starved.port, "/healthz").status) == 200
        }
        #expect(answered, "serving again once the connections are gone: \(starved.logText)")
        #expect(starved.logText.contains("Too many open files") && starved.logText.contains("listening again"), "\(starved.logText)")
    }

    /// `run` with `http:`: the same page, and the daemon's own counters of what its cycle did.
    @Test func runServesItsOwnCounters() async throws {
        let server = try FeedServer(arguments: [dir.path])
        try feeds()
        let config = try config(http: "{listen: '127.0.0.1:0'}", server: server)
        let served = try Served(["run", "--config", config], dir: dir)
        var samples: [String: Double] = [:]
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let metrics = try await get(served.port, "/metrics")
            let check = try python("metrics_check.py", [], stdin: metrics.body)
            guard available(check, "prometheus_client") else { return }
            #expect(check.status == 0, "\(check.stderr)\n\(metrics.body)")
            samples = try Self.samples(check.stdout)
            if samples["feedwatch_deliveries_total{outcome=delivered,sink=file:\(dir.appendingPathComponent("alerts.jsonl").path)}"] != nil { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(samples["feedwatch_fetches_total{outcome=ok,status_class=2xx}"] == 3, "\(samples)")
        #expect(samples["feedwatch_items_parsed_total"] == 4)
        #expect(samples["feedwatch_items_stored_total"] == 4)
        #expect(samples["feedwatch_alerts_total{topic=police}"] == 4)
        #expect(samples["feedwatch_alerts_total{topic=facial-recognition}"] == 2)
        #expect(samples["feedwatch_fetch_duration_seconds_count"] == 3)
        #expect(samples["feedwatch_fetch_size_bytes_count"] == 3)
        #expect((samples["feedwatch_fetch_size_bytes_sum"] ?? 0) > 500)
        #expect(samples["feedwatch_cycle_duration_seconds_count"] == 1)
        #expect(samples["feedwatch_deliveries_total{outcome=delivered,sink=file:\(dir.appendingPathComponent("alerts.jsonl").path)}"] == 4)
        #expect(samples["feedwatch_feeds{health=ok}"] == 3)
        #expect(try await get(served.port, "/").body.contains("<svg class=\"timeline\""))
        // The server goes with the daemon.
        let port = served.port
        served.stop()
        #expect(served.process.terminationStatus == 0)
        try await Task.sleep(for: .milliseconds(500))
        await #expect(throws: (any Error).self) { _ = try await get(port, "/healthz") }
    }

    /// The page in a real browser (chromium, headless, through Playwright): renders with no console
    /// error or CSP violation, loads nothing from elsewhere, a timeline per story with a mark per
    /// outlet and a text alternative, the hostile title as text, the same with JavaScript off.
    @Test func theBrowserShowsThePage() async throws {
        let server = try FeedServer(arguments: [dir.path])
        try feeds()
        let config = try config(http: "{listen: '127.0.0.1:0'}", server: server)
        try stored(config)
        let served = try Served(["serve", "--config", config], dir: dir)
        let shot = dir.appendingPathComponent("page.png")
        let result = try python("browser_check.py", ["http://127.0.0.1:\(served.port)/?since=7d", shot.path])
        guard available(result, "chromium and playwright") else { return }
        try #require(result.status == 0, "\(result.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let stories = try #require(try JSONSerialization.jsonObject(with: Data(try await get(served.port, "/api/stories?since=7d").body.utf8)) as? [[String: Any]])
        for mode in ["javascript", "no_javascript"] {
            let page = try #require(out[mode] as? [String: Any])
            #expect(page["status"] as? Int == 200)
            #expect(page["console_errors"] as? [String] == [], "\(mode): \(page["console_errors"] ?? "")")
            #expect(page["foreign_requests"] as? [String] == [], "\(mode)")
            #expect(page["failed_requests"] as? [String] == [], "\(mode)")
            #expect(page["dialogs"] as? Int == 0)
            let text = page["text"] as? String ?? ""
            #expect(text.contains("<script>alert(1)</script>"), "\(mode): the hostile title is shown as text")
            let timelines = page["timelines"] as? [[String: Any]] ?? []
            #expect(timelines.count == stories.count)
            for (t, s) in zip(timelines, stories) {
                let outlets = Set((s["items"] as? [[String: Any]] ?? []).compactMap { $0["feed"] as? String }).count
                #expect(t["role"] as? String == "img")
                #expect(t["marks"] as? Int == outlets, "one mark per outlet")
                #expect((t["names"] as? [String])?.first?.hasPrefix("Coverage timeline: \(outlets) outlet") == true, "\(t)")
            }
        }
        let js = try #require(out["javascript"] as? [String: Any])
        #expect(js["stylesheet_applied"] as? String == "992px", "the stylesheet loaded under the CSP")
        #expect((js["scroll_width"] as? Int ?? 999) <= 390, "no sideways scrolling on a phone")
        #expect(FileManager.default.fileExists(atPath: shot.path))
    }
}
