import Foundation
import Testing

/// `feedwatch parse` through the real binary on hostile text: no control or bidi character reaches
/// the output, in JSON or text, and a huge field comes out bounded, with a warning.
@Suite struct ParseSafetyTests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Every string value anywhere in a JSON document.
    private func strings(_ value: Any) -> [String] {
        switch value {
        case let s as String: return [s]
        case let a as [Any]: return a.flatMap(strings)
        case let d as [String: Any]: return d.values.flatMap(strings)
        default: return []
        }
    }

    private func unsafeScalars(_ s: String, allowNewlines: Bool = false) -> [UInt32] {
        s.unicodeScalars.map(\.value).filter { v in
            if allowNewlines && v == 0x0A { return false }
            return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
        }
    }

    private func check(_ name: String, _ document: String) throws -> [String: Any] {
        let dir = try BinaryRunner.temporaryDirectory()
        let file = dir.appendingPathComponent(name)
        try document.write(to: file, atomically: true, encoding: .utf8)
        let r = try BinaryRunner.run(["parse", file.path, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(r.stdout)
        for s in strings(doc["feed"] as Any) + strings(doc["items"] as Any) {
            #expect(unsafeScalars(s).isEmpty, "\(name): \(s.debugDescription)")
        }
        let text = try BinaryRunner.run(["parse", file.path, "--format", "text"])
        #expect(text.status == 0)
        #expect(unsafeScalars(text.stdout, allowNewlines: true).isEmpty, "\(name) as text: \(text.stdout.debugDescription)")
        return doc
    }

    @Test func rssWithDELAndARightToLeftOverride() throws {
        let doc = try check("del.xml", """
        <rss version="2.0"><channel><title>Chan\u{7F}nel \u{202E}lenn</title>
        <item><title>Invoice \u{202E}fdp.exe\u{7F}</title><description>body\u{7F}\u{202E}</description></item></channel></rss>
        """)
        #expect((doc["feed"] as? [String: Any])?["title"] as? String == "Chan nel lenn")
        #expect((doc["items"] as? [[String: Any]])?.first?["title"] as? String == "Invoice fdp.exe")
    }

    @Test func atomWithAC1ControlSequenceReference() throws {
        let doc = try check("csi.xml", """
        <feed xmlns="http://www.w3.org/2005/Atom"><title>Feed&#x9b;[2J</title>
        <entry><title>Entry&#x9b;[2J</title><summary type="html">&lt;p&gt;s&amp;#x9b;[2J&lt;/p&gt;</summary></entry></feed>
        """)
        #expect((doc["feed"] as? [String: Any])?["title"] as? String == "Feed [2J")
        #expect((doc["items"] as? [[String: Any]])?.first?["summary"] as? String == "s [2J")
    }

    @Test func jsonFeedWithATerminalTitleSequence() throws {
        let doc = try check("title.json", #"""
        {"version": "https://jsonfeed.org/version/1.1", "title": "\u001b]0;title\u0007 Feed\u0000",
         "items": [{"id": "1", "title": "\u001b]0;title\u0007", "content_text": "a\u001b[2Jb"}]}
        """#)
        #expect((doc["feed"] as? [String: Any])?["title"] as? String == "]0;title Feed")
        #expect((doc["items"] as? [[String: Any]])?.first?["title"] as? String == "]0;title")
    }

    @Test func aNineMebibyteTitleComesOutBoundedWithAWarning() throws {
        let dir = try BinaryRunner.temporaryDirectory()
        let file = dir.appendingPathComponent("huge.xml")
        var doc = Data("<rss version=\"2.0\"><channel><title>Big</title><item><title>one</title></item><item><title>two</title></item><item><title>".utf8)
        doc.append(Data(repeating: UInt8(ascii: "A"), count: 9 << 20))
        doc.append(Data("</title><link>https://big.example/3</link></item></channel></rss>".utf8))
        try doc.write(to: file)
        let r = try BinaryRunner.run(["parse", file.path, "--max-size", "20MB"])
        #expect(r.status == 0, "\(r.stderr)")
        let parsed = try json(r.stdout)
        let item = try #require((parsed["items"] as? [[String: Any]])?.last)
        #expect((item["title"] as? String)?.count == 2048)
        #expect(item["link"] as? String == "https://big.example/3")
        #expect((parsed["warnings"] as? [String] ?? []).contains("item 3: title cut to 2048 characters"))
        #expect(r.stdout.utf8.count < 16_384)
    }
}
