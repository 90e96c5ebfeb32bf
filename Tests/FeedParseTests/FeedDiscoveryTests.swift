import FeedParse
import Testing

/// Feed autodiscovery on page text: what counts as an announced feed, and what does not.
@Suite struct FeedDiscoveryTests {
    private func links(_ html: String, _ url: String? = "https://site.example/news/") -> [String] {
        FeedDiscovery.links(inHTML: Array(html.utf8), pageURL: url).map(\.url)
    }

    @Test func findsAlternateFeedLinksResolvedAgainstThePage() {
        let page = """
            <!DOCTYPE html><HTML><HEAD><title>News</title>
            <!-- <link rel="alternate" type="application/rss+xml" href="/commented.xml"> -->
            <script>var s = '<link rel="alternate" type="application/rss+xml" href="/scripted.xml">';</script>
            <link rel=stylesheet href=/s.css>
            <LINK REL="Alternate" TYPE="application/RSS+XML" title="News &amp; more" href="feed.xml?a=1&amp;b=2">
            <link rel='alternate home' type='application/atom+xml' href='//cdn.site.example/atom'>
            <link rel="alternate" type="application/feed+json" href="https://site.example/feed.json">
            <link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/1">
            <link rel="alternate" hreflang="fr" href="/fr/">
            <link rel="alternate" type="application/rss+xml" href="feed.xml?a=1&amp;b=2">
            </head><body><link rel="alternate" type="application/rss+xml" href="/in-body.xml"></body></html>
            """
        #expect(links(page) == ["https://site.example/news/feed.xml?a=1&b=2", "https://cdn.site.example/atom", "https://site.example/feed.json"])
        let found = FeedDiscovery.links(inHTML: Array(page.utf8), pageURL: "https://site.example/news/")
        #expect(found.first?.title == "News & more" && found.first?.type == "application/rss+xml")
        #expect(FeedDiscovery.looksLikeHTML(Array(page.utf8)))
        #expect(!FeedDiscovery.looksLikeHTML(Array("<rss version=\"2.0\"><channel/></rss>".utf8)))
        // Any case, anywhere in the first 4 KB; a page's words in a feed's text are not markup.
        #expect(FeedDiscovery.looksLikeHTML(Array("\n  <!DOCTYPE HTML>\n<Html lang=en>".utf8)))
        #expect(FeedDiscovery.looksLikeHTML(Array((String(repeating: " ", count: 3_000) + "<HEAD><title>x</title>").utf8)))
        #expect(!FeedDiscovery.looksLikeHTML(Array((String(repeating: " ", count: 4_100) + "<html>").utf8)))
        #expect(!FeedDiscovery.looksLikeHTML(Array("<rss><channel><title>html and head</title><item><title>&lt;html&gt;</title></item></channel></rss>".utf8)))
    }

    @Test func aBaseHrefMovesTheBase() {
        #expect(links("<head><base href=\"https://other.example/x/\"><link rel=alternate type=application/rss+xml href=rss></head>")
            == ["https://other.example/x/rss"])
    }

    @Test func pagesWithoutFeedsAndBrokenTagsGiveNothing() {
        #expect(links("<html><head><title>x</title></head><body>hi</body></html>").isEmpty)
        #expect(links("<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"").isEmpty)
        #expect(links("<link").isEmpty)
        #expect(links("").isEmpty)
    }
}
