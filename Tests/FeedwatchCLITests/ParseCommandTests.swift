import Foundation
import Testing

/// `feedwatch parse` through the real binary: output, exit codes, stdin, files, options.
@Suite struct ParseCommandTests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func printsTheContractJSONForAFile() throws {
        let file = BinaryRunner.fixtures.appendingPathComponent("rss2-basic.xml")
        let r = try BinaryRunner.run(["parse", file.path, "--format", "json"])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        // This fixture has absolute URLs only, so the file's own URL changes nothing.
        let golden = try String(contentsOf: BinaryRunner.fixtures.appendingPathComponent("rss2-basic.expected.json"), encoding: .utf8)
        #expect(r.stdout == golden)
    }

    @Test func jsonIsTheDefaultAndEveryKeyIsPresent() throws {
        let r = try BinaryRunner.run(["parse", BinaryRunner.fixtures.appendingPathComponent("empty-and-missing.xml").path])
        #expect(r.status == 0)
        let doc = try json(r.stdout)
        #expect(Set(doc.keys) == ["format", "feed", "items", "warnings"])
        let feed = try #require(doc["feed"] as? [String: Any])
        #expect(Set(feed.keys) == ["title", "link", "id", "description", "language", "updated", "ttl_minutes"])
        let item = try #require((doc["items"] as? [[String: Any]])?.first)
        #expect(Set(item.keys) == ["id", "title", "link", "published", "updated", "summary", "content", "authors", "categories", "enclosures"])
        #expect(item["title"] is NSNull)
    }

    @Test func readsStandardInput() throws {
        let doc = "<rss version=\"2.0\"><channel><title>From stdin</title><item><title>One</title><link>/rel</link></item></channel></rss>"
        let r = try BinaryRunner.run(["parse", "-"], stdin: Data(doc.utf8))
        #expect(r.status == 0)
        let parsed = try json(r.stdout)
        #expect((parsed["feed"] as? [String: Any])?["title"] as? String == "From stdin")
        // No base at all: a relative link stays relative.
        #expect(((parsed["items"] as? [[String: Any]])?.first?["link"] as? String) == "/rel")
    }

    @Test func relativeLinksInAFileFallBackToTheFileURL() throws {
        let dir = try BinaryRunner.temporaryDirectory()
        let file = dir.appendingPathComponent("local feed.xml")
        try "<rss><channel><title>Local</title><item><link>story.html</link><enclosure url=\"../a.mp3\"/></item></channel></rss>"
            .write(to: file, atomically: true, encoding: .utf8)
        let r = try BinaryRunner.run(["parse", "local feed.xml"], cwd: dir)
        #expect(r.status == 0)
        let item = try #require((try json(r.stdout)["items"] as? [[String: Any]])?.first)
        let dirURL = "file://" + dir.path.replacingOccurrences(of: " ", with: "%20")
        #expect(item["link"] as? String == dirURL + "/story.html")
        let enclosure = try #require((item["enclosures"] as? [[String: Any]])?.first)
        #expect(enclosure["url"] as? String == URL(fileURLWithPath: dir.path).deletingLastPathComponent().absoluteString + "a.mp3")
    }

    @Test func aHomePageLinkIsNotTheFeedsOwnURL() throws {
        let dir = try BinaryRunner.temporaryDirectory()
        let file = dir.appendingPathComponent("saved.rss")
        try "<rss><channel><link>https://site.example.org/</link><item><link>post.html</link></item></channel></rss>"
            .write(to: file, atomically: true, encoding: .utf8)
        let r = try BinaryRunner.run(["parse", file.path])
        let item = try #require((try json(r.stdout)["items"] as? [[String: Any]])?.first)
        #expect(item["link"] as? String == "file://" + dir.path + "/post.html")
    }

    @Test func aFeedsOwnSelfLinkIsABetterBaseThanTheFile() throws {
        let dir = try BinaryRunner.temporaryDirectory()
        let file = dir.appendingPathComponent("saved.atom")
        try """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Saved</title>
            <link rel="self" href="https://site.example.org/blog/feed.atom"/>
            <entry><id>1</id><link href="2020/post.html"/></entry></feed>
            """.write(to: file, atomically: true, encoding: .utf8)
        let r = try BinaryRunner.run(["parse", file.path])
        let item = try #require((try json(r.stdout)["items"] as? [[String: Any]])?.first)
        #expect(item["link"] as? String == "https://site.example.org/blog/2020/post.html")
    }

    @Test func textFormatIsReadableAndWarningsGoToStderr() throws {
        let file = BinaryRunner.fixtures.appendingPathComponent("html-entities.xml")
        let r = try BinaryRunner.run(["parse", file.path, "--format", "text"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("Entities everywhere  [rss2.0]\n"))
        #expect(r.stdout.contains("[1] Police — and “facial recognition”…"))
        #expect(r.stderr.contains("feedwatch: warning: line 4: undefined entity &nbsp; recovered"))
    }

    @Test func charsetOptionActsLikeHTTPContentType() throws {
        let file = BinaryRunner.fixtures.appendingPathComponent("encoding-http-charset.xml")
        let r = try BinaryRunner.run(["parse", file.path, "--charset", "windows-1252"])
        #expect((try json(r.stdout)["feed"] as? [String: Any])?["title"] as? String == "HTTP says windows-1252: café “quoted”")
    }

    @Test func notAFeedExits65() throws {
        let r = try BinaryRunner.run(["parse", "-"], stdin: Data("<!DOCTYPE html><html><body>hi</body></html>".utf8))
        #expect(r.status == 65)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("not a feed: root element <html> is not RSS, RDF or Atom"))
    }

    @Test func emptyInputExits65() throws {
        let r = try BinaryRunner.run(["parse", "-"], stdin: Data())
        #expect(r.status == 65)
        #expect(r.stderr.contains("empty document"))
    }

    @Test func sizeCapExits65WithAClearMessage() throws {
        let file = BinaryRunner.fixtures.appendingPathComponent("rss2-basic.xml")
        let r = try BinaryRunner.run(["parse", file.path, "--max-size", "1KB"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("document exceeds the size cap of 1KB"))
    }

    @Test func maxItemsKeepsTheFirstItemsAndWarns() throws {
        let doc = "<rss><channel>" + (1...5).map { "<item><title>\($0)</title></item>" }.joined() + "</channel></rss>"
        let r = try BinaryRunner.run(["parse", "-", "--max-items", "2"], stdin: Data(doc.utf8))
        #expect(r.status == 0)
        let parsed = try json(r.stdout)
        #expect((parsed["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["1", "2"])
        #expect((parsed["warnings"] as? [String]) == ["item cap of 2 reached; 3 more item(s) ignored"])
        #expect(try BinaryRunner.run(["parse", "-", "--max-items", "0"], stdin: Data(doc.utf8)).status == 64)
    }

    @Test func unreadableSourcesExit66() throws {
        let missing = try BinaryRunner.run(["parse", "/nonexistent/feed.xml"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("cannot read /nonexistent/feed.xml: No such file or directory"))
        let directory = try BinaryRunner.run(["parse", NSTemporaryDirectory()])
        #expect(directory.status == 66)
    }

    @Test func aPlainPathIsTakenAsWrittenAFileURLIsDecoded() throws {
        let dir = try BinaryRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a%20b.xml")  // a literal percent sign in the name
        try Data("<rss><channel><title>percent</title></channel></rss>".utf8).write(to: file)
        #expect(try BinaryRunner.run(["parse", file.path]).status == 0)
        #expect(try BinaryRunner.run(["parse", "file://" + dir.path + "/a%2520b.xml"]).status == 0)
        #expect(try BinaryRunner.run(["parse", "file://" + dir.path + "/a%20b.xml"]).status == 66)
    }

    @Test func badOptionsAreUsageErrors() throws {
        let r = try BinaryRunner.run(["parse", "-", "--max-size", "lots"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--max-size"))
        let format = try BinaryRunner.run(["parse", "-", "--format", "yaml"])
        #expect(format.status == 64)
    }

    @Test func versionAndHelp() throws {
        let v = try BinaryRunner.run(["--version"])
        #expect(v.status == 0 && v.stdout.hasPrefix("0."))
        let h = try BinaryRunner.run(["parse", "--help"])
        #expect(h.status == 0 && h.stdout.contains("--format"))
    }

    @Test func streamsALargeDocument() throws {
        let dir = try BinaryRunner.temporaryDirectory()
        let file = dir.appendingPathComponent("large.xml")
        var doc = "<rss version=\"2.0\"><channel><title>Large</title>"
        for i in 0..<5_000 {
            doc += "<item><title>Item \(i)</title><link>https://large.example.org/\(i)</link><description>&lt;p&gt;Body \(i) &amp;amp; more&lt;/p&gt;</description></item>"
        }
        doc += "</channel></rss>"
        try doc.write(to: file, atomically: true, encoding: .utf8)
        let r = try BinaryRunner.run(["parse", file.path])
        #expect(r.status == 0)
        let items = try #require(try json(r.stdout)["items"] as? [[String: Any]])
        #expect(items.count == 5_000)
        #expect(items.last?["summary"] as? String == "Body 4999 & more")
    }
}
