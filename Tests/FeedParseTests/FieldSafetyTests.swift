import Foundation
import Testing
import TestSupport
import FeedParse
import FeedwatchCore

/// Every text field of every format comes out without control or bidi characters, and bounded.
@Suite struct FieldSafetyTests {
    private func parse(_ text: String, options: ParseOptions = ParseOptions(), chunks: Int? = nil) throws -> ParsedFeed {
        let bytes = Array(text.utf8)
        guard let chunks else { return try FeedParser.parse(bytes, options: options, documentURL: "https://safe.example/") }
        let parser = FeedParser(options: options, documentURL: "https://safe.example/")
        var offset = 0
        while offset < bytes.count {
            let n = min(chunks, bytes.count - offset)
            try parser.feed(Array(bytes[offset..<(offset + n)]))
            offset += n
        }
        return try parser.finish()
    }

    /// Every string the contract prints for `feed`.
    private func texts(_ feed: ParsedFeed) -> [String] {
        let f = feed.feed
        var all = [f.title, f.link, f.id, f.description, f.language].compactMap { $0 }
        for i in feed.items {
            all += [i.id, i.title, i.link, i.summary, i.content].compactMap { $0 }
            all += i.authors + i.categories + i.enclosures.flatMap { [$0.url, $0.type].compactMap { $0 } }
        }
        return all
    }

    private func isUnsafe(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    private func expectClean(_ feed: ParsedFeed, sourceLocation: SourceLocation = #_sourceLocation) {
        for text in texts(feed) {
            #expect(!text.unicodeScalars.contains(where: isUnsafe), "unsafe character in \(text.debugDescription)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func rssFieldsLoseDELAndBidiOverrides() throws {
        let doc = """
        <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
        <title>Feed\u{7F}\u{202E}title</title><description>d\u{7F}esc</description><language>e\u{7F}n</language>
        <item><title>Item\u{7F} \u{202E}txt.exe</title><description>&lt;p&gt;sum\u{202E}mary\u{7F}&lt;/p&gt;</description>
        <guid isPermaLink="false">id\u{7F}1</guid><link>https://x.example/\u{202E}a</link><author>a@b (Ann\u{7F})</author>
        <category>c\u{202D}at</category><dc:creator>Bo\u{2066}b</dc:creator></item></channel></rss>
        """
        let feed = try parse(doc)
        expectClean(feed)
        #expect(feed.feed.title == "Feed title")
        #expect(feed.items[0].title == "Item txt.exe")
        #expect(feed.items[0].summary == "summary")
    }

    @Test func atomNumericReferencesToC1ControlsBecomeSpaces() throws {
        let doc = """
        <feed xmlns="http://www.w3.org/2005/Atom"><title>T&#x9b;[2J</title>
        <entry><title type="html">&lt;b&gt;x&lt;/b&gt;&amp;#x9b;[2J</title><summary>s&#155;1</summary>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">c&#x9b;2&#x202e;</div></content>
        <author><name>N&#x85;&#x9b;</name></author><id>urn:&#x9b;x</id><category term="t&#x9b;"/></entry></feed>
        """
        let feed = try parse(doc)
        expectClean(feed)
        #expect(feed.feed.title == "T [2J")
        #expect(feed.items[0].title == "x [2J")
        #expect(feed.items[0].content == "c 2")
    }

    @Test func jsonFeedEscapesOfControlsBecomeSpaces() throws {
        let doc = #"""
        {"version": "https://jsonfeed.org/version/1.1", "title": "\u001b]0;title\u0007Feed", "description": "\u009b2J",
         "authors": [{"name": "A\u0000B"}],
         "items": [{"id": "1\u001b", "title": "\u001b]0;title\u0007", "summary": "x\u202ey", "content_html": "<p>h\u009bi</p>",
                    "tags": ["t\u007f"], "url": "https://x.example/\u001b[2J"}]}
        """#
        let feed = try parse(doc)
        expectClean(feed)
        #expect(feed.feed.title == "]0;title Feed")
        #expect(feed.items[0].title == "]0;title")
        #expect(feed.items[0].content == "h i")
        #expect(feed.items[0].authors == ["A B"])
    }

    @Test func aHugeTitleIsCutWhileReadAndWarned() throws {
        let title = String(repeating: "word ", count: 200_000)
        let doc = "<rss><channel><title>t</title><item><title>a</title></item><item><title>\(title)</title></item></channel></rss>"
        let feed = try parse(doc)
        let kept = try #require(feed.items[1].title)
        #expect(kept.unicodeScalars.count <= 2048)
        #expect(kept.hasPrefix("word word"))
        #expect(!kept.hasSuffix(" "))
        #expect(feed.warnings.contains("item 2: title cut to \(kept.unicodeScalars.count) characters"))
    }

    @Test func everyFieldHasItsCap() throws {
        let limits = FieldLimits(title: 4, summary: 6, content: 8, identifier: 10, word: 3)
        let long = String(repeating: "é", count: 50)
        let doc = """
        <feed xmlns="http://www.w3.org/2005/Atom"><title>\(long)</title><subtitle>\(long)</subtitle>
        <entry><title>\(long)</title><summary type="html">&lt;p&gt;\(long)&lt;/p&gt;</summary>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>\(long)</p></div></content>
        <id>\(long)</id><author><name>\(long)</name></author><category term="\(long)"/></entry></feed>
        """
        let feed = try parse(doc, options: ParseOptions(fieldLimits: limits))
        #expect(feed.feed.title?.count == 4)
        #expect(feed.feed.description?.count == 6)
        let item = feed.items[0]
        #expect(item.title?.count == 4)
        #expect(item.summary?.count == 6)
        #expect(item.content?.count == 8)
        #expect(item.id?.count == 10)
        #expect(item.authors == [String(repeating: "é", count: 3)])
        #expect(item.categories == [String(repeating: "é", count: 3)])
        for warning in ["feed: title cut to 4 characters", "feed: description cut to 6 characters",
                        "item 1: title cut to 4 characters", "item 1: summary cut to 6 characters",
                        "item 1: content cut to 8 characters", "item 1: id cut to 10 characters",
                        "item 1: author cut to 3 characters", "item 1: category cut to 3 characters"] {
            #expect(feed.warnings.contains(warning), "missing \(warning) in \(feed.warnings)")
        }
    }

    @Test func theCutIsTheSameWhateverTheChunking() throws {
        let limits = FieldLimits(title: 50, summary: 70)
        let text = (0..<400).map { "w\($0)é日 &amp; <b>x</b>" }.joined(separator: " ")
        let doc = "<rss><channel><item><title><![CDATA[\(text)]]></title><description><![CDATA[\(text)]]></description></item></channel></rss>"
        let whole = try parse(doc, options: ParseOptions(fieldLimits: limits))
        for size in [1, 3, 7, 64, 1000] {
            let chunked = try parse(doc, options: ParseOptions(fieldLimits: limits), chunks: size)
            #expect(chunked == whole, "chunks of \(size)")
        }
        #expect(whole.items[0].title?.count ?? 0 <= 50)
    }

    @Test func jsonFeedFieldsAreCappedToo() throws {
        let long = String(repeating: "x", count: 5000)
        let doc = #"{"version": "https://jsonfeed.org/version/1", "title": "\#(long)", "items": [{"title": "\#(long)", "content_text": "\#(long)"}]}"#
        let feed = try parse(doc)
        #expect(feed.feed.title?.count == 2048)
        #expect(feed.items[0].title?.count == 2048)
        #expect(feed.items[0].content?.count == 5000)
        #expect(feed.warnings.contains("feed: title cut to 2048 characters"))
        #expect(feed.warnings.contains("item 1: title cut to 2048 characters"))
    }
}
