import Foundation
import TestSupport
import Testing

/// Stories through the real binary on the June 2020 week (`Tests/Fixtures/stories/june2020-week.tsv`:
/// IBM, Amazon and Microsoft in nearly the same words within four days, then Detroit's wrongful
/// arrest and Boston's ban), its dates moved so that its last item was published an hour ago:
/// the same stories whatever the arrival, three companies three stories, and the corrections
/// (`stories merge`, `split`, `mute`) persisting in the store and followed by later items.
@Suite struct StoryCorrectionTests {
    private let dir: URL
    init() throws { dir = try BinaryRunner.temporaryDirectory() }

    struct Headline {
        var k: Int
        var at: Date
        var label: String
        var outlet: String
        var title: String
    }

    /// The fixture in file order, dates shifted so the latest is an hour ago.
    static let week: [Headline] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/stories/june2020-week.tsv").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let iso = ISO8601DateFormatter()
        var rows = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.enumerated().compactMap { k, line -> Headline? in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 4, let at = iso.date(from: f[0]) else { return nil }
            return Headline(k: k, at: at, label: f[1], outlet: f[2], title: f[3])
        }
        let shift = Date(timeIntervalSinceNow: -3_600).timeIntervalSince(rows.map(\.at).max() ?? Date())
        for i in rows.indices { rows[i].at += shift }
        return rows
    }()

    private static func rfc822(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: d)
    }

    private func writeFeed(_ name: String, _ items: [Headline], in directory: URL? = nil) throws {
        let body = items.map { h in
            "<item><guid isPermaLink=\"false\">june-\(h.k)</guid><title>\(h.title.replacingOccurrences(of: "&", with: "&amp;"))</title>"
                + "<link>https://\(h.outlet.lowercased().replacingOccurrences(of: " ", with: "")).example/\(h.k)</link>"
                + "<pubDate>\(Self.rfc822(h.at))</pubDate></item>"
        }.joined()
        try Data("<rss version=\"2.0\"><channel><title>Beat</title>\(body)</channel></rss>".utf8)
            .write(to: (directory ?? dir).appendingPathComponent(name))
    }

    /// A config polling `beat.xml` (and `other.xml` with `health`, whose failing is a health alert).
    /// `state`: the store (default: an SQLite file in `directory`).
    private func config(in directory: URL, health: Bool = false, state: String? = nil) throws -> String {
        let path = directory.appendingPathComponent("feedwatch.yaml")
        let file = { (name: String) in directory.appendingPathComponent(name).path }
        try Data("""
            state: \(state ?? file("state.sqlite"))
            first_fetch_window: all
            \(health ? "health: {failing_after: 1}" : "")
            feeds:
              - {url: \(file("beat.xml")), name: Beat}
            \(health ? "  - {url: \(file("other.xml")), name: Other}" : "")
            topics:
              fr: '"facial recognition" OR "face surveillance" OR Rekognition'
            sinks:
              - file: {path: \(file("every.jsonl"))}
            \(health ? "  - file: {path: \(file("health.jsonl")), health: true}" : "")
            """.utf8).write(to: path)
        return path.path
    }

    private static func json(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The stories in the store: id → the titles of its items.
    private func storiesIn(_ config: String) throws -> [String: Set<String>] {
        let r = try BinaryRunner.run(["stories", "--json", "--since", "30d", "--config", config])
        #expect(r.status == 0, "\(r.stderr)")
        var out: [String: Set<String>] = [:]
        for s in Self.json(r.stdout) {
            let items = (s["items"] as? [[String: Any]]) ?? []
            out[s["id"] as? String ?? ""] = Set(items.compactMap { $0["title"] as? String })
        }
        return out
    }

    private func alerts(_ directory: URL? = nil) -> [[String: Any]] {
        Self.json((try? String(contentsOf: (directory ?? dir).appendingPathComponent("every.jsonl"), encoding: .utf8)) ?? "")
    }

    /// The same stories whether the week arrives as one document newest first, as one oldest
    /// first, or item by item (a `once` per new item, each a new process reading the index back
    /// from the store); and in each, IBM's, Amazon's and Microsoft's announcements three stories.
    @Test func theSameStoriesInAnyArrivalAndThreeCompaniesStayThree() throws {
        let week = Self.week
        try #require(week.count == 24)
        var partitions: [String: Set<Set<String>>] = [:]
        for arrival in ["newest first", "oldest first", "item by item"] {
            let d = dir.appendingPathComponent(arrival.replacingOccurrences(of: " ", with: "-"))
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            let config = try config(in: d)
            let byTime = week.sorted { ($0.at, $0.k) < ($1.at, $1.k) }
            switch arrival {
            case "newest first", "oldest first":
                try writeFeed("beat.xml", arrival == "newest first" ? byTime.reversed() : byTime, in: d)
                let r = try BinaryRunner.run(["once", "--config", config])
                #expect(r.status == 0, "\(r.stderr)")
            default:
                for n in 1...byTime.count {
                    try writeFeed("beat.xml", Array(byTime.prefix(n).reversed()), in: d)
                    let r = try BinaryRunner.run(["once", "--all", "--config", config])
                    #expect(r.status == 0, "\(r.stderr)")
                }
            }
            #expect(alerts(d).count == 24, "\(arrival): \(alerts(d).count) alerts")
            let stories = try storiesIn(config)
            partitions[arrival] = Set(stories.values)
            for company in ["ibm", "amazon", "microsoft"] {
                let titles = Set(week.filter { $0.label == company }.map(\.title))
                let holding = stories.filter { !$0.value.isDisjoint(with: titles) }
                #expect(holding.count == 1, "\(arrival): \(company) in \(holding.count) stories")
                #expect(holding.first?.value == titles, "\(arrival): \(company)'s story holds \(holding.first?.value ?? [])")
            }
        }
        #expect(partitions["newest first"] == partitions["oldest first"])
        #expect(partitions["newest first"] == partitions["item by item"])
    }

    /// merge, split and mute: each persists in the store, shows in `stories`, and later items
    /// follow it; a muted story alerts no sink while a feed health alert still goes out.
    @Test func correctionsPersistAndLaterItemsFollowThem() throws {
        try correctionsPersistAndLaterItemsFollowThem(state: nil)
    }

    /// The same on a fleet's store: the commands work on PostgreSQL as on the SQLite file.
    @Test(.enabled(if: PostgresCluster.skipReason == nil || PostgresCluster.required, Comment(rawValue: PostgresCluster.skipReason ?? "")))
    func correctionsOnPostgreSQL() throws {
        try correctionsPersistAndLaterItemsFollowThem(state: try PostgresCluster.shared.get().createDatabase("corrections"))
    }

    private func correctionsPersistAndLaterItemsFollowThem(state: String?) throws {
        let ibm = Self.week.filter { $0.label == "ibm" }
        let amazon = Self.week.filter { $0.label == "amazon" }
        try writeFeed("beat.xml", Array(ibm.prefix(3)) + Array(amazon.prefix(3)))
        try writeFeed("other.xml", [])
        let config = try config(in: dir, health: true, state: state)
        let first = try BinaryRunner.run(["once", "--config", config])
        #expect(first.status == 0, "\(first.stderr)")
        var stories = try storiesIn(config)
        let ibmTitles = Set(ibm.prefix(3).map(\.title)), amazonTitles = Set(amazon.prefix(3).map(\.title))
        let ibmID = try #require(stories.first { $0.value == ibmTitles }?.key, "\(stories)")
        let amazonID = try #require(stories.first { $0.value == amazonTitles }?.key, "\(stories)")

        // merge: one story under the id of the story published first (IBM's), with its title.
        let merged = try BinaryRunner.run(["stories", "merge", amazonID, ibmID, "--config", config])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout == "merged \(amazonID) into \(ibmID)\n")
        stories = try storiesIn(config)
        #expect(stories == [ibmID: ibmTitles.union(amazonTitles)])
        let listed = Self.json(try BinaryRunner.run(["stories", "--json", "--since", "30d", "--config", config]).stdout)
        #expect(listed.first?["title"] as? String == ibm[0].title && listed.first?["size"] as? Int == 6)
        let again = try BinaryRunner.run(["stories", "merge", amazonID, ibmID, "--config", config])
        #expect(again.status == 1 && again.stderr.contains("one story already"), "\(again.stderr)")
        let unknown = try BinaryRunner.run(["stories", "merge", ibmID, "st_nope", "--config", config])
        #expect(unknown.status == 1 && unknown.stderr.contains("no story st_nope"), "\(unknown.stderr)")

        // A later Amazon item joins the merged story (the index is rebuilt from the store).
        try writeFeed("beat.xml", Array(ibm.prefix(3)) + Array(amazon.prefix(4)))
        #expect(try BinaryRunner.run(["once", "--all", "--config", config]).status == 0)
        let fourth = try #require(alerts().last)
        #expect((fourth["story"] as? [String: Any])?["id"] as? String == ibmID, "\(fourth)")
        #expect((fourth["item"] as? [String: Any])?["title"] as? String == amazon[3].title)

        // split: that item leaves for a story of its own, and stays there when more coverage comes.
        let alertID = try #require(fourth["alert_id"] as? String)
        let split = try BinaryRunner.run(["stories", "split", alertID, "--config", config])
        #expect(split.status == 0, "\(split.stderr)")
        stories = try storiesIn(config)
        let alone = try #require(stories.first { $0.value == [amazon[3].title] }?.key, "\(stories)")
        #expect(alone != ibmID && stories[ibmID] == ibmTitles.union(amazonTitles))
        let twice = try BinaryRunner.run(["stories", "split", alertID, "--config", config])
        #expect(twice.status == 1 && twice.stderr.contains("alone in its story"), "\(twice.stderr)")
        #expect(try BinaryRunner.run(["stories", "split", "fw_nope", "--config", config]).status == 1)
        try writeFeed("beat.xml", Array(ibm.prefix(3)) + Array(amazon.prefix(5)))
        #expect(try BinaryRunner.run(["once", "--all", "--config", config]).status == 0)
        stories = try storiesIn(config)
        #expect(stories[ibmID]?.contains(amazon[3].title) == false, "the split item went back: \(stories)")

        // mute: a later IBM item is stored in the muted story but alerts no sink; the failing
        // feed's health alert still goes out.
        let count = alerts().count
        let mute = try BinaryRunner.run(["stories", "mute", ibmID, "--for", "7d", "--config", config])
        #expect(mute.status == 0 && mute.stdout.hasPrefix("muted \(ibmID) until "), "\(mute.stdout) \(mute.stderr)")
        try writeFeed("beat.xml", Array(ibm.prefix(4)) + Array(amazon.prefix(5)))
        try FileManager.default.removeItem(at: dir.appendingPathComponent("other.xml"))
        let muted = try BinaryRunner.run(["once", "--all", "--config", config])
        #expect(muted.status == 2, "\(muted.stderr)")  // the other feed failed
        #expect(alerts().count == count, "a muted story alerted: \(alerts().dropFirst(count))")
        stories = try storiesIn(config)
        #expect(stories[ibmID]?.contains(ibm[3].title) == true, "\(stories)")
        let health = Self.json((try? String(contentsOf: dir.appendingPathComponent("health.jsonl"), encoding: .utf8)) ?? "")
        #expect(health.contains { ($0["health"] as? [String: Any])?["event"] as? String == "failing" })
        #expect(try BinaryRunner.run(["stories", "mute", ibmID, "--for", "soon", "--config", config]).status == 64)
        #expect(try BinaryRunner.run(["stories", "mute", "st_nope", "--config", config]).status == 1)

        // unmute: the story's next item alerts again; unmuting what is not muted is an error.
        let unmute = try BinaryRunner.run(["stories", "unmute", ibmID, "--config", config])
        #expect(unmute.status == 0 && unmute.stdout == "unmuted \(ibmID)\n", "\(unmute.stdout) \(unmute.stderr)")
        #expect(try BinaryRunner.run(["stories", "unmute", ibmID, "--config", config]).status == 1)
        try writeFeed("beat.xml", Array(ibm.prefix(5)) + Array(amazon.prefix(5)))
        _ = try BinaryRunner.run(["once", "--all", "--config", config])
        #expect(alerts().dropFirst(count).contains { ($0["item"] as? [String: Any])?["title"] as? String == ibm[4].title },
                "an unmuted story's next item did not alert: \(alerts().dropFirst(count))")
    }
}
