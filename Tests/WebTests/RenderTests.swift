import FeedwatchCore
import Testing
import Web

/// The renderers as pure functions: escaping of hostile feed text, the timeline's marks, the Atom
/// feed's shape, the API's JSON, and the token check.
@Suite struct RenderTests {
    static let t0 = Timestamp(year: 2026, month: 11, day: 21, hour: 8)!
    static func at(_ minutes: Int64) -> Timestamp { Timestamp(secondsSince1970: t0.secondsSince1970 + minutes * 60) }

    static let hostile = "<script>alert(1)</script> & \"quotes\" 'too'"
    static let story = WebStory(
        id: "st_1", title: hostile, size: 4, firstSeen: at(0), lastSeen: at(300), topics: ["police", "<b>x</b>"],
        items: [
            .init(feed: "https://b.example/feed", feedName: "Second Outlet", title: "B", link: "https://b.example/1", published: at(90)),
            .init(feed: "https://a.example/feed", feedName: "First Outlet", title: hostile, link: "javascript:alert(1)", published: at(10),
                  duplicates: [.init(feed: "https://c.example/feed", link: "https://c.example/copy?a=1&b=2")]),
            .init(feed: "https://a.example/feed", feedName: "First Outlet", title: "A again", link: "https://a.example/2", published: at(200)),
            .init(feed: "https://d.example/rss", title: "undated", link: nil, published: nil),
        ])

    @Test func escapingLeavesNoMarkupFromFeeds() {
        #expect(WebText.html(Self.hostile) == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;")
        #expect(WebText.html("a\u{1}b\u{FFFE}") == "a\u{FFFD}b\u{FFFD}")
        let page = Pages.story(Self.story, now: Self.at(400))
        #expect(!page.contains("<script"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("javascript:"), "a javascript: link is dropped, its title kept as text")
        #expect(page.contains("https://c.example/copy?a=1&amp;b=2"))
        let index = Pages.index(stories: [Self.story], volumes: [], feeds: [], outbox: [], since: "24h\"><script>", now: Self.at(400))
        #expect(!index.contains("<script"))
        #expect(!index.contains("<b>x</b>"))
    }

    @Test func timelineHasOneMarkPerOutletInOrderFirstNamed() {
        let marks = CoverageTimeline.marks(Self.story)
        #expect(marks.map(\.outlet) == ["First Outlet", "Second Outlet", "d.example"])
        #expect(marks[0].at == Self.at(10) && marks[0].items == 2)
        let svg = CoverageTimeline.svg(Self.story, idPrefix: "x")
        #expect(svg.split(separator: "<circle", omittingEmptySubsequences: false).count - 1 == 3)
        #expect(svg.contains("role=\"img\"") && svg.contains("<title id=\"x-t\">Coverage timeline: 3 outlets") && svg.contains("<desc id=\"x-d\">"))
        #expect(svg.contains("<text class=\"first-name\" x=\"8\" y=\"60\">First Outlet first, 08:10 UTC</text>"))
        #expect(svg.contains("Second Outlet 1 h 20 min later"))
        #expect(!svg.contains("<script"))
    }

    @Test func volumesCountItemsPerTopicPerDay() {
        let now = Timestamp(year: 2026, month: 11, day: 22, hour: 12)!
        let v = TopicVolumeChart.volumes([Self.story], days: 3, now: now)
        #expect(v.map(\.topic) == ["<b>x</b>", "police"])
        // Three dated items on the 21st, the undated one on the story's first day (also the 21st).
        #expect(v[1].perDay == [0, 4, 0])
        #expect(!TopicVolumeChart.html(v, now: now).contains("<b>"))
        // A newly added feed's archive, published long before the chart begins, counts on the day
        // its story was first seen, not nowhere.
        let archive = WebStory(id: "st_2", title: "old", size: 1, firstSeen: now, lastSeen: now, topics: ["police"],
                               items: [.init(feed: "https://a.example/feed", title: "old", published: Timestamp(year: 2020, month: 1, day: 1))])
        #expect(TopicVolumeChart.volumes([archive], days: 3, now: now).first?.perDay == [0, 0, 1])
    }

    @Test func atomIsWellFormedAndEscaped() {
        let xml = AtomFeed.render([Self.story], topic: "police & co", now: Self.at(400))
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"))
        #expect(xml.contains("<id>urn:feedwatch:story:st_1</id>"))
        #expect(xml.contains("<updated>2026-11-21T13:00:00Z</updated>"))
        #expect(xml.contains("<title>Feedwatch stories: police &amp; co</title>"))
        // The HTML content is escaped twice: once as HTML, once as XML text.
        #expect(xml.contains("&amp;lt;script&amp;gt;"))
        #expect(!xml.contains("<script"))
    }

    @Test func apiStoriesMatchTheStoriesJSONObjects() {
        let json = String(decoding: APIJSON.stories([Self.story]), as: UTF8.self)
        #expect(json.hasPrefix("[{\"id\":\"st_1\",\"title\":\"<script>alert(1)</script>"))
        #expect(json.contains("\"duplicates\":[{\"feed\":\"https://c.example/feed\",\"link\":\"https://c.example/copy?a=1&b=2\"}]"))
        #expect(json.hasSuffix("]\n"))
    }

    @Test func tokenComparison() {
        #expect(WebRoutes.authorized("Bearer s3cret", token: "s3cret"))
        #expect(WebRoutes.authorized("bearer s3cret", token: "s3cret"))
        #expect(!WebRoutes.authorized("Bearer s3cre", token: "s3cret"))
        #expect(!WebRoutes.authorized("Bearer s3cretX", token: "s3cret"))
        #expect(!WebRoutes.authorized("Basic s3cret", token: "s3cret"))
        #expect(!WebRoutes.authorized(nil, token: "s3cret"))
        #expect(!WebRoutes.authorized("Bearer ", token: ""))
    }

    @Test func durationsAndLinks() {
        #expect(WebText.duration("24h") == 86_400 && WebText.duration("7d") == 604_800 && WebText.duration("90s") == 90)
        #expect(WebText.duration("x") == nil && WebText.duration("0h") == nil && WebText.duration("-1d") == nil && WebText.duration("999d") == nil)
        #expect(WebText.safeLink("JavaScript:x") == nil && WebText.safeLink("//evil.example") == nil && WebText.safeLink("data:text/html,x") == nil)
        #expect(WebText.safeLink("https://ok.example/") == "https://ok.example/")
        #expect(WebText.percentDecode("st_%3Cb%3E+x") == "st_<b> x")
        #expect(WebText.percentEncode("a b/<") == "a%20b%2F%3C")
    }
}
