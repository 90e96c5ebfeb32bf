import FeedwatchCore
import Foundation
import Store
import Testing

@Suite struct ArticleKeyTests {
    @Test(arguments: [
        ("HTTPS://Example.COM:443/story?id=7&utm_source=rss&utm_medium=feed#comments", "https://example.com/story?id=7"),
        ("http://example.com:80", "http://example.com/"),
        ("https://example.com/a?fbclid=XYZ&gclid=1&mc_cid=2&mc_eid=3&page=2", "https://example.com/a?page=2"),
        ("https://example.com/a?MC_CID=2", "https://example.com/a"),
        ("https://www.google.com/url?rct=j&sa=t&url=https://news.example.org/2026/11/face-ban%3Futm_source%3Dalerts&ct=ga",
         "https://news.example.org/2026/11/face-ban"),
        ("https://www.google.com/url?q=https%3A%2F%2Fnews.example.org%2Fa&sa=D", "https://news.example.org/a"),
        ("https://news.example.org/a?q=https://other.example/", "https://news.example.org/a?q=https://other.example/"),
    ])
    func linksAreCanonical(raw: String, expected: String) {
        #expect(ArticleKey.link(raw) == expected)
    }

    @Test func googleNewsLinksAreUnwrappedWhenTheTargetIsInside() {
        // Older Google News article ids: base64url of a small record spelling out the target.
        let record: [UInt8] = [0x08, 0x13, 0x22, 0x2F] + Array("https://news.example.org/2026/face-ban?utm_source=gn".utf8) + [0xD2, 0x01, 0x00]
        let id = Data(record).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        #expect(ArticleKey.link("https://news.google.com/rss/articles/\(id)?oc=5") == "https://news.example.org/2026/face-ban")
        // Newer ids hold no URL: the link stays as it is (minus tracking).
        #expect(ArticleKey.link("https://news.google.com/rss/articles/CBMiAAAAAAAA?oc=5") == "https://news.google.com/rss/articles/CBMiAAAAAAAA?oc=5")
        #expect(ArticleKey.link("not a link") == nil)
        #expect(ArticleKey.link("mailto:a@example.org") == nil)
    }

    /// One site's keys share their top bits (index locality); the rest tells articles apart.
    @Test func keysOfOneSiteClusterTogether() {
        let a = ArticleKey.linkHash("https://news.example.org/1"), b = ArticleKey.linkHash("https://news.example.org/2")
        let c = ArticleKey.linkHash("https://other.example.net/1")
        #expect(a >> 52 == b >> 52 && a != b)
        #expect(a >> 52 != c >> 52)
        let t = ArticleKey.text(site: "news.example.org", title: "T", summary: "S")!
        #expect(t >> 52 == a >> 52)
    }

    @Test func textKeysAreSitePlusTitleAndSummary() {
        // The text as the parser normalized it (white space collapsed), the site in any case.
        let a = ArticleKey.text(site: "example.com", title: "Council bans face surveillance", summary: "The vote was 7-2.")
        #expect(a == ArticleKey.text(site: "EXAMPLE.com", title: "Council bans face surveillance", summary: "The vote was 7-2."))
        #expect(a != ArticleKey.text(site: "example.com", title: "Council bans face surveillance", summary: "The vote was 7-3."))
        #expect(a != ArticleKey.text(site: "example.com", title: "Council bans face", summary: "surveillance The vote was 7-2."))
        #expect(a != ArticleKey.text(site: "other.org", title: "Council bans face surveillance", summary: "The vote was 7-2."))
        #expect(ArticleKey.text(site: "example.com", title: "Morning briefing", summary: nil) == nil)
        #expect(ArticleKey.site(of: "https://WWW.Example.com:8443/x") == "example.com")
        #expect(ArticleKey.site(of: "https://user@feeds.example.org/x") == "feeds.example.org")
    }
}

/// The same article reached through several feeds or URLs is stored for each feed, alerted once.
@Suite struct CrossFeedDuplicateTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-dupes-\(UUID().uuidString).sqlite").path
    let t0 = Timestamp(secondsSince1970: 1_800_000_000)

    @Test func copiesAcrossFeedsAlertOnceWireCopiesDoNot() throws {
        let store = try SQLiteStore(path: path)
        let feeds = try store.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b"), ("https://c.example/feed", "c")], now: t0)
        var alerted: [String] = []
        func ingest(_ feed: Int, _ item: FeedItem) throws -> IngestResult {
            let site = ArticleKey.site(of: feeds[feed].url)
            return try store.ingest(feedID: feeds[feed].id, [ItemCandidate(item, site: site)], now: t0) { i in
                alerted.append(i.title ?? "")
                return ("a\(alerted.count)", "{}")
            }[0]
        }
        let original = try ingest(0, FeedItem(id: "a1", title: "Council bans face surveillance", link: "https://news.example.org/ban"))
        // The same link through another feed, with tracking: a copy.
        let copy = try ingest(1, FeedItem(id: "b7", title: "Council bans it", link: "https://news.example.org/ban?utm_source=b&fbclid=1"))
        // Through a Google redirect: a copy.
        let wrapped = try ingest(2, FeedItem(id: "c3", title: "x", link: "https://www.google.com/url?q=https%3A%2F%2Fnews.example.org%2Fban"))
        guard case .new(let id) = original, case .duplicate(_, let of) = copy, case .duplicate(_, let of2) = wrapped else {
            Issue.record("\(original) \(copy) \(wrapped)")
            return
        }
        #expect(of == id && of2 == id)
        #expect(alerted == ["Council bans face surveillance"])

        // Same title and summary on one site under a new URL: a copy. On another site: coverage.
        let text = FeedItem(id: "a2", title: "Wire: police buy scanners", link: "https://a.example/2", summary: "The deal is worth $2m.")
        _ = try ingest(0, text)
        let sameSite = try ingest(0, FeedItem(id: "a3", title: "Wire: police buy scanners", link: "https://a.example/2-amp", summary: "The deal is worth $2m."))
        let otherSite = try ingest(1, FeedItem(id: "b8", title: "Wire: police buy scanners", link: "https://b.example/9", summary: "The deal is worth $2m."))
        if case .duplicate = sameSite {} else { Issue.record("same site, same text: \(sameSite)") }
        if case .new = otherSite {} else { Issue.record("another outlet's wire copy is coverage, not a duplicate: \(otherSite)") }
        #expect(alerted.count == 3)
    }

    /// Two store connections (a `once` beside a running daemon): each sees the other's articles,
    /// though it keeps its own in-memory filter of dedupe keys.
    @Test func copiesStoredByAnotherProcessAreSeen() throws {
        let a = try SQLiteStore(path: path), b = try SQLiteStore(path: path)
        let feeds = try a.syncFeeds([("https://a.example/feed", "a"), ("https://b.example/feed", "b")], now: t0)
        func item(_ id: String, _ link: String) -> [ItemCandidate] { [ItemCandidate(FeedItem(id: id, title: id, link: link), site: "x.example")] }
        _ = try a.ingest(feedID: feeds[0].id, item("a1", "https://news.example.org/1"), now: t0) { _ in nil }  // a's filter built
        _ = try b.ingest(feedID: feeds[1].id, item("b2", "https://news.example.org/2"), now: t0) { _ in nil }  // b's own
        let copyOfB = try a.ingest(feedID: feeds[0].id, item("a2", "https://news.example.org/2?utm_source=a"), now: t0) { _ in nil }
        let copyOfA = try b.ingest(feedID: feeds[1].id, item("b1", "https://news.example.org/1#top"), now: t0) { _ in nil }
        if case .duplicate = copyOfB[0] {} else { Issue.record("a missed b's article: \(copyOfB)") }
        if case .duplicate = copyOfA[0] {} else { Issue.record("b missed a's article: \(copyOfA)") }
    }
}
