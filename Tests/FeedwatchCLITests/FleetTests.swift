import Foundation
import TestSupport
import Testing

/// Three `feedwatch run` processes on one PostgreSQL store and a loopback farm of feeds: each
/// feed polled by one node at a time, no closer together than its interval fleet-wide; one node
/// `kill -9`ed while a webhook delivery hangs, then restarted; every alert delivered, under one
/// id per item. Skipped (with the reason) without PostgreSQL, never under CI.
@Suite(.serialized) struct FleetTests {
    static let enabled = PostgresCluster.skipReason == nil || PostgresCluster.required

    private let dir: URL
    private static let feeds = 12
    private static let interval = 4.0

    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    /// Writes feed `k` with `items` items (atomically: the server may read it at any moment).
    private func writeFeed(_ k: Int, items: Int) throws {
        let entries = (0..<items).map { n in
            "<item><guid>f\(k)-\(n)</guid><title>Police report \(k)-\(n)</title><link>https://farm\(k).example/\(n)</link>"
                + "<description>Item \(n) of feed \(k), about the police in town \(k).</description></item>"
        }.joined()
        let url = dir.appendingPathComponent("farm\(k).xml")
        try Data("<rss version=\"2.0\"><channel><title>Farm \(k)</title>\(entries)</channel></rss>".utf8)
            .write(to: url.appendingPathExtension("tmp"))
        _ = rename(url.appendingPathExtension("tmp").path, url.path)
    }

    private func waitFor(_ what: String, seconds: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        try #require(try condition(), "timed out waiting for \(what)")
    }

    @Test(.enabled(if: enabled, Comment(rawValue: PostgresCluster.skipReason ?? "")), .timeLimit(.minutes(4)))
    func threeNodesShareTheWorkAndSurviveAKill() throws {
        let cluster = try PostgresCluster.shared.get()
        let uri = try cluster.createDatabase("fleet")
        let farm = try FeedServer(arguments: [dir.path])
        // The first webhook request hangs (60 s): the node delivering it is killed mid-delivery.
        let secret = "whsec_" + Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let receiver = try FeedServer(script: "webhook_receiver.py", arguments: [], environment: ["WEBHOOK_SECRET": secret])
        var items = [Int](repeating: 2, count: Self.feeds)
        for k in 0..<Self.feeds { try writeFeed(k, items: items[k]) }
        let config = dir.appendingPathComponent("feedwatch.yaml")
        try Data("""
            state: \(uri)
            first_fetch_window: all
            poll: {interval: 4s, timeout: 2s}
            feeds:
            \((0..<Self.feeds).map { "  - url: \(farm.url("/farm/farm\($0).xml"))" }.joined(separator: "\n"))
            topics:
              police: police
            sinks:
              - webhook: {url: "\(receiver.url("/hang/1"))", secret_env: FLEET_SECRET, timeout: 60s, max_attempts: 1000}
            """.utf8).write(to: config)

        var nodes: [String: (Process, URL)] = [:]
        var logFiles: [URL] = []
        func start(_ name: String) throws {
            nodes[name] = try BinaryRunner.startDaemon(config.path, in: dir, environment: ["FEEDWATCH_NODE": name, "FLEET_SECRET": secret])
            logFiles.append(nodes[name]!.1)
        }
        defer {
            for (process, _) in nodes.values where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        for name in ["n1", "n2", "n3"] { try start(name) }

        func delivered() -> [(id: String, body: String, signed: Bool)] {
            receiver.log.compactMap { line in
                guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let id = (record["headers"] as? [String: String])?["webhook-id"] else { return nil }
                return (id, record["body"] as? String ?? "", record["signature_ok"] as? Bool == true)
            }
        }
        // New items arrive while the fleet runs.
        var round = 0
        func addItems() throws {
            round += 1
            for k in 0..<Self.feeds where (k + round) % 3 == 0 {
                items[k] += 1
                try writeFeed(k, items: items[k])
            }
        }

        // The hung delivery: kill -9 the node holding the sink (the store says which).
        try waitFor("the first delivery", seconds: 30) { !delivered().isEmpty }
        let hung = try #require(delivered().first).id
        let holder = try cluster.psql(uri, "SELECT lease_node FROM sink_cursors WHERE lease_node IS NOT NULL").trimmingCharacters(in: .whitespacesAndNewlines)
        let victim = try #require(nodes[holder], "the sink is held by \(holder)").0
        let killedAt = Date().timeIntervalSince1970
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        for _ in 0..<3 {
            try addItems()
            Thread.sleep(forTimeInterval: 3)
        }
        // Another node takes the sink over once the lease runs out (timeout + 30 s) and sends the
        // hung alert again, with the same id.
        try waitFor("the hung alert delivered again", seconds: 50) { delivered().filter { $0.id == hung }.count >= 2 }
        try start(holder)  // restarted, under the same name
        for _ in 0..<3 {
            try addItems()
            Thread.sleep(forTimeInterval: 3)
        }
        // Every feed polled after its last change, and every stored alert delivered.
        let lastWrite = Date().timeIntervalSince1970
        func farmRequests() -> [(feed: String, at: Double)] {
            farm.log.compactMap { line in
                let parts = line.split(separator: " ")
                guard parts.count == 3, parts[0] == "farm", let at = Double(parts[2]) else { return nil }
                return (String(parts[1]), at)
            }
        }
        try waitFor("every feed polled after its last change", seconds: 30) {
            let latest = Dictionary(farmRequests().map { ($0.feed, $0.at) }, uniquingKeysWith: max)
            return (0..<Self.feeds).allSatisfy { (latest["farm\($0).xml"] ?? 0) > lastWrite }
        }
        let expected = items.enumerated().reduce(0) { $0 + $1.element }
        try waitFor("every item's alert delivered", seconds: 40) { Set(delivered().map(\.id)).count >= expected }
        for (process, _) in nodes.values where process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }

        // Nothing lost, nothing alerted under two ids: one alert id per item, each delivered.
        let got = delivered()
        for k in 0..<Self.feeds {
            for n in 0..<items[k] {
                let ids = Set(got.filter { $0.body.contains("Police report \(k)-\(n)\"") }.map(\.id))
                #expect(ids.count == 1, "item \(k)-\(n) was delivered under \(ids.count) alert ids")
            }
        }
        #expect(Set(got.map(\.id)).count == expected)
        #expect(got.allSatisfy { $0.signed })
        let stored = try cluster.psql(uri, "SELECT count(*) FROM alerts").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(stored == "\(expected)")
        // Duplicates only of what was in flight at the kill: the hung alert, and at most the batch
        // the killed node had not acknowledged.
        let duplicates = got.count - Set(got.map(\.id)).count
        #expect(duplicates >= 1 && duplicates <= 10, "\(duplicates) repeated deliveries")

        // Politeness fleet-wide: one feed's polls never closer than its interval, less the 10 %
        // jitter and a second (the schedule counts whole seconds from the cycle's start), except
        // what the killed node had in flight when it died.
        let byFeed = Dictionary(grouping: farmRequests(), by: \.feed)
        for (feed, requests) in byFeed {
            let times = requests.map(\.at).sorted()
            #expect(times.count >= 3, "\(feed) polled \(times.count) times")
            for (a, b) in zip(times, times.dropFirst()) where !(a > killedAt - 3 && a <= killedAt) {
                #expect(b - a >= Self.interval * 0.9 - 1, "\(feed) polled \(String(format: "%.2f", b - a)) s apart")
            }
        }
        // The work is shared (the first cycle finds all 12 feeds due: each node claims its
        // share), and status names who holds a feed.
        let logs = logFiles.map { (try? String(contentsOf: $0, encoding: .utf8)) ?? "" }
        #expect(logs.filter { $0.contains("polled") }.count >= 2)
        let status = try BinaryRunner.run(["status", "--json", "--config", config.path])
        #expect(status.status == 0)
        #expect(status.stdout.split(separator: "\n").allSatisfy { $0.contains("\"node\":") })
    }
}
