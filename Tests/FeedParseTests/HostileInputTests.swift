import Foundation
import Testing
import TestSupport
import FeedParse
import FeedwatchCore

/// Documents built to hurt: every one must end in a feed or a clear error, quickly, without
/// touching the file system or network.
@Suite struct HostileInputTests {
    private func parse(_ text: String, options: ParseOptions = ParseOptions()) throws -> ParsedFeed {
        try FeedParser.parse(Array(text.utf8), options: options, documentURL: "https://hostile.example/")
    }

    @Test func externalEntitiesAreNeverLoaded() throws {
        let feed = try parse(Fixtures.bytes("xxe.xml").utf8String)
        let text = "\(feed)"
        #expect(!text.contains("root:"), "contents of /etc/passwd leaked")
        #expect(feed.items.first?.summary == "before &xxe; after")
    }

    @Test func aBillionLaughsStaysSmall() throws {
        let feed = try parse(Fixtures.bytes("billion-laughs.xml").utf8String)
        #expect(feed.feed.title == "Laughs &lol9;")
        #expect(feed.items.count == 1)
    }

    @Test func quadraticBlowupThroughOneLargeEntityIsInert() throws {
        let big = String(repeating: "A", count: 100_000)
        let refs = String(repeating: "&a;", count: 10_000)
        let doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"\(big)\">]><rss><channel><title>\(refs)</title></channel></rss>"
        let feed = try parse(doc)
        #expect((feed.feed.title?.utf8.count ?? 0) <= refs.utf8.count)
    }

    /// Declared entities are expanded, but a document cannot turn a few bytes into a lot of
    /// text: past 1 MB of expansion, references stay as written.
    @Test func entityExpansionHasADocumentBudget() throws {
        let value = String(repeating: "x", count: 4000)
        let items = (0..<400).map { "<item><description>\($0) &big;</description></item>" }.joined()
        let doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY big \"\(value)\">]><rss><channel>\(items)</channel></rss>"
        let feed = try parse(doc)
        let expanded = feed.items.filter { $0.summary?.hasSuffix(value) == true }.count
        #expect(expanded == (1 << 20) / 4000)
        #expect(feed.items.last?.summary == "399 &big;")
        #expect(feed.warnings.contains { $0.contains("&big; not expanded: the document's entity expansion budget (1024 KB) is spent") })
    }

    @Test func aDoctypeSplitAnywhereDeclaresTheSameEntities() throws {
        let doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"A>]\"><!-- ]> --><!ENTITY b 'B'>]><rss><channel><title>&a;&b;</title></channel></rss>"
        let whole = try parse(doc)
        #expect(whole.feed.title == "A>]B")
        let bytes = Array(doc.utf8)
        for cut in 1..<bytes.count {
            let parser = FeedParser(documentURL: "https://hostile.example/")
            try parser.feed(Array(bytes[..<cut]))
            try parser.feed(Array(bytes[cut...]))
            #expect(try parser.finish() == whole, "split at \(cut)")
        }
    }

    @Test func sizeCapIsAClearError() {
        let doc = "<rss><channel>" + String(repeating: "<item><title>x</title></item>", count: 2_000) + "</channel></rss>"
        #expect(throws: FeedParseError.tooLarge(limit: 1024)) {
            try parse(doc, options: ParseOptions(maxBytes: 1024))
        }
    }

    @Test func itemCapKeepsTheFirstItemsAndWarns() throws {
        let doc = "<rss><channel>" + (1...50).map { "<item><title>\($0)</title></item>" }.joined() + "</channel></rss>"
        let feed = try parse(doc, options: ParseOptions(maxItems: 10))
        #expect(feed.items.map(\.title) == (1...10).map { "\($0)" })
        #expect(feed.warnings.contains("item cap of 10 reached; 40 more item(s) ignored"))
    }

    @Test func warningsAreCapped() throws {
        let doc = "<rss><channel>" + (1...500).map { "<item><pubDate>bad \($0)</pubDate></item>" }.joined() + "</channel></rss>"
        let feed = try parse(doc, options: ParseOptions(maxWarnings: 20))
        #expect(feed.items.count == 500)
        #expect(feed.warnings.count == 21)
        #expect(feed.warnings.last == "480 more warnings not shown")
    }

    @Test func deepNestingIsBoundedAndReported() throws {
        let doc = "<rss><channel><item><title>t</title><description>" + String(repeating: "<d>", count: 5_000)
            + "x" + String(repeating: "</d>", count: 5_000) + "</description></item></channel></rss>"
        let feed = try parse(doc)
        #expect(feed.items.first?.title == "t")
        #expect(feed.warnings.contains { $0.contains("nested deeper than 128 levels") })
    }

    @Test func extremeNestingStopsTheParseAndKeepsWhatCameBefore() throws {
        let depth = 200_000
        let doc = "<rss><channel><item><title>kept</title></item>" + String(repeating: "<a>", count: depth)
            + String(repeating: "</a>", count: depth) + "<item><title>after</title></item></channel></rss>"
        let feed = try parse(doc)
        #expect(feed.items.map(\.title) == ["kept"])
        #expect(feed.warnings.contains { $0.contains("nested deeper than 1024 levels: parsing stopped") })
    }

    @Test(arguments: [
        ("", FeedParseError.empty),
        ("   \n\t ", FeedParseError.empty),
        ("<!DOCTYPE html><html><head><title>x</title></head><body>page</body></html>",
         FeedParseError.notAFeed("root element <html> is not RSS, RDF or Atom")),
        ("just some text", FeedParseError.notAFeed("no RSS, RDF or Atom root element found")),
        ("{\"hello\": 1}", FeedParseError.notAFeed("JSON document without a jsonfeed.org version")),
        ("<channel><title>CDF-ish</title></channel>", FeedParseError.notAFeed("root element <channel> is not RSS, RDF or Atom")),
    ])
    func notAFeed(document: String, expected: FeedParseError) {
        #expect(throws: expected) { try parse(document) }
    }

    @Test func invalidJSONIsNotAFeed() {
        #expect {
            try parse("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [")
        } throws: { error in
            guard case FeedParseError.notAFeed(let why) = error else { return false }
            return why.hasPrefix("invalid JSON")
        }
    }

    @Test func binaryGarbageIsNotAFeed() {
        var rng = SplitMix64(seed: 7)
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        #expect(throws: FeedParseError.self) { try FeedParser.parse(bytes) }
    }

    @Test func leadingBlankLinesAreOnlyWorthAWarningBeforeAnXMLDeclaration() throws {
        let json = try parse("\n\n{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"J\", \"items\": []}")
        #expect(json.feed.title == "J" && json.warnings.isEmpty)
        let bare = try parse("\n  <rss><channel><title>R</title></channel></rss>")
        #expect(bare.feed.title == "R" && bare.warnings.isEmpty)
        let declared = try parse("\n  <?xml version=\"1.0\"?><rss><channel><title>D</title></channel></rss>")
        #expect(declared.feed.title == "D" && declared.warnings == ["white space before the XML declaration removed"])
    }

    @Test func aDeclarationAfterBlankLinesStillNamesTheCharsetWhateverTheChunking() throws {
        var doc: [UInt8] = Array("\n\n\n\n\n\n<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel><title>caf".utf8)
        doc += [0xE9] + Array("</title></channel></rss>".utf8)
        for chunk in [1, 3, 5, 7, doc.count] {
            let parser = FeedParser()
            var offset = 0
            while offset < doc.count {
                try parser.feed(Array(doc[offset..<min(doc.count, offset + chunk)]))
                offset += chunk
            }
            #expect(try parser.finish().feed.title == "café", "chunks of \(chunk)")
        }
    }

    @Test func htmlEntitiesInAttributesAreDecoded() throws {
        let feed = try parse("<rss><channel><item><enclosure url=\"https://x/caf&eacute;?a=1&amp;b=2&c=3\"/><category>a&nbsp;b</category></item></channel></rss>")
        #expect(feed.items.first?.enclosures.first?.url == "https://x/caf%C3%A9?a=1&b=2&c=3")
        #expect(feed.items.first?.categories == ["a b"])
    }
}

extension Array where Element == UInt8 {
    var utf8String: String { String(decoding: self, as: UTF8.self) }
}
