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
