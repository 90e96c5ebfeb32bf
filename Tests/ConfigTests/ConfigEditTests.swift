import Config
import Testing

/// `feedwatch add`'s edit: the feed goes into `feeds:`, everything else stays as written.
@Suite struct ConfigEditTests {
    @Test func appendsAfterTheLastEntryKeepingComments() throws {
        let text = """
            # My feeds
            feeds:
              - url: https://a.example/feed   # the first
                name: A
              # - url: https://commented.example/feed

            topics:
              police: police   # keep me

            """
        let edited = ConfigEdit.appendingFeed(to: text, url: "https://b.example/rss", name: "Bee's news")
        #expect(edited == """
            # My feeds
            feeds:
              - url: https://a.example/feed   # the first
                name: A
              - {url: 'https://b.example/rss', name: 'Bee''s news'}
              # - url: https://commented.example/feed

            topics:
              police: police   # keep me

            """)
        let c = try ConfigLoader.parse(edited, file: "/tmp/c.yaml")
        #expect(c.feeds.last == .feed(FeedSource(url: "https://b.example/rss", name: "Bee's news")))
    }

    @Test func emptyFlowAndMissingListsGetTheEntry() throws {
        #expect(ConfigEdit.appendingFeed(to: "feeds: []\ntopics: {t: x}\n", url: "https://b.example/", name: nil)
            == "feeds:\n  - {url: 'https://b.example/'}\ntopics: {t: x}\n")
        #expect(ConfigEdit.appendingFeed(to: "feeds: [{url: 'https://a.example/'}]  # two\n", url: "https://b.example/", name: "B")
            == "feeds: [{url: 'https://a.example/'}, {url: 'https://b.example/', name: 'B'}]  # two\n")
        #expect(ConfigEdit.appendingFeed(to: "topics: {t: x}\n", url: "https://b.example/", name: nil)
            == "topics: {t: x}\nfeeds:\n  - {url: 'https://b.example/'}\n")
        #expect(ConfigEdit.appendingFeed(to: "feeds:\n- url: https://a.example/\ntopics: {t: x}", url: "https://b.example/", name: nil)
            == "feeds:\n- url: https://a.example/\n- {url: 'https://b.example/'}\ntopics: {t: x}")
        for text in ["feeds: []\ntopics: {t: x}\n", "feeds:\n- url: https://a.example/\ntopics: {t: x}", "topics: {t: x}\n"] {
            #expect(throws: Never.self) { try ConfigLoader.parse(ConfigEdit.appendingFeed(to: text, url: "https://b.example/", name: "x: y"), file: "/tmp/c.yaml") }
        }
    }
}
