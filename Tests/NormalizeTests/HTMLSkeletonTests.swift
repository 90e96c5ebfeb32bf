import Foundation
import Testing
import TestSupport
@testable import Normalize

/// The placeholder fast path must give exactly what libxml2 gives on the whole fragment.
@Suite struct HTMLSkeletonTests {
    static let pieces: [String] = [
        "<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<i>", "</I>", "<P>", "<br>", "<br/>", "<hr />", "<li>", "<ul>",
        "</ul>", "<table><tr><td>", "</td><td>", "</table>", "<a href=\"https://x.example/?a=1&amp;b=2\">",
        "<a title='a > b' href=x>", "</a>", "<img src=\"i.jpg\" alt=\"an > image\"/>", "<script>if (a < b) { x = '<p>'; }</script>",
        "<SCRIPT type=\"text/javascript\">document.write('</div>')</SCRIPT>", "<style>p > b { color: red }</style>",
        "<!-- a comment with <p> inside -->", "<!---->", "<!-- unterminated", "<!DOCTYPE html>", "<?php echo 1; ?>",
        "&nbsp;", "&mdash;", "&amp;", "&lt;p&gt;", "&#8217;", "&#x263A;", "& ", "&copy", "&unknown;", " < ", "<3", "a<b",
        "<title>Hidden title</title>", "<head><meta charset=\"iso-8859-1\"></head>", "<body>", "</body>", "<noscript>nojs</noscript>",
        "<textarea>raw <b>text</b></textarea>", "<pre>  spaced\n  text  </pre>", "\n\n", "   ", "\t",
        "<span class=\"x\">", "</span>", "<em>", "</em>", "<h2>", "</h2>", "<figure><figcaption>", "</figcaption></figure>",
        "<p class=unquoted>", "<a href=\"unterminated", "</notopen>", "<unknown-tag>", "</unknown-tag>", "<![CDATA[ cdata ]]>",
        "&#38;", "&#60;", "&#0;", "&#xD800;", "&#150;", "&Eacute;", "&eacute;", "&hellip;", "&rsquo;s", "&nbsp;&nbsp;",
        "&#x1F600;", "&#1234567890;", "&amp;copy", "&lt;b&gt;", "&quot;", "&apos;", "&euro;", "&NotAnEntity;",
        "caf\u{00E9} \u{201C}quoted\u{201D} \u{2014} \u{65E5}\u{672C}", "\u{00A0}non-breaking\u{00A0}",
    ]
    static let words = "facial recognition police software city council surveillance privacy report vendor".split(separator: " ")

    static func randomHTML(_ rng: inout SplitMix64) -> String {
        var out = ""
        while out.utf8.count < Int.random(in: 300...3000, using: &rng) {
            if Int.random(in: 0..<3, using: &rng) == 0 {
                out += pieces.randomElement(using: &rng)!
            } else {
                let n = Int.random(in: 1...25, using: &rng)
                out += (0..<n).map { _ in String(words.randomElement(using: &rng)!) }.joined(separator: Bool.random(using: &rng) ? " " : "  \n ")
            }
        }
        if Int.random(in: 0..<5, using: &rng) == 0 {
            out = String(out.utf8.prefix(Int.random(in: 1..<out.utf8.count, using: &rng))) ?? out  // truncated
        }
        return out
    }

    /// `FEEDWATCH_HTML_SAMPLES` and `FEEDWATCH_HTML_SEED` widen the search (CI runs 3,000).
    @Test func placeholdersChangeNothing() {
        let env = ProcessInfo.processInfo.environment
        let samples = Int(env["FEEDWATCH_HTML_SAMPLES"] ?? "") ?? 3_000
        let converter = HTMLTextConverter()
        var rng = SplitMix64(seed: UInt64(env["FEEDWATCH_HTML_SEED"] ?? "") ?? 42)
        var compacted = 0
        for _ in 0..<samples {
            var html = Self.randomHTML(&rng)
            html.withUTF8 { p in
                let fast = converter.onePass(utf8: p)
                let reference = converter.referencePass(utf8: p)
                if fast != reference {
                    let path = "/tmp/feedwatch-html-diff-\(compacted).html"
                    try? Data(p).write(to: URL(fileURLWithPath: path))
                    Issue.record("compacted and reference text differ; input written to \(path)")
                }
                if HTMLSkeleton(p, entities: HTMLEntities()) != nil { compacted += 1 }
            }
        }
        // The test is only meaningful if the fast path actually ran on most samples.
        #expect(compacted > samples / 3)
    }

    /// Everyday feed HTML, including the ways it goes wrong (misnesting, stray and missing end
    /// tags, implied ends): what `PlainHTML` is for, and where it must decline.
    static let plainPieces: [String] = [
        "<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<i>", "</i>", "<em>", "</em>", "<strong>", "</strong>",
        "<span class=\"x\">", "</span>", "<a href=\"https://x.example/?utm_source=rss\">", "<a href=x>", "</a>",
        "<br>", "<br/>", "<br />", "<hr>", "<img src=\"i.jpg\" alt=\"pic\">", "<img src=i.jpg />", "<ul>", "</ul>",
        "<ol>", "</ol>", "<li>", "</li>", "<h2>", "</h2>", "<blockquote>", "</blockquote>", "<figure>", "</figure>",
        "<figcaption>", "</figcaption>", "<code>", "</code>", "<small>", "</small>", "<sup>", "</sup>", "<P>", "</P>",
        "<B>", "</B>", "<p/>", "<b/>", "<!--more-->", "<!-- a comment -->", "&amp;", "&nbsp;", "&#8217;", "&mdash;",
        "&quot;", "&lt;", "&copy", "\n", " ", "  \n\t ", "caf\u{00E9}", "\u{00A0}", "</br>", "<table>", "<pre>\n",
    ]

    static func plainHTML(_ rng: inout SplitMix64) -> String {
        var out = ""
        var open: [String] = []
        let containers = ["p", "div", "b", "i", "em", "strong", "span", "a", "ul", "li", "h2", "blockquote", "code"]
        let length = Int.random(in: 20...600, using: &rng)
        while out.utf8.count < length {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<3:
                let name = containers.randomElement(using: &rng)!
                out += "<\(name)>"
                open.append(name)
            case 3..<5 where !open.isEmpty:
                // Mostly the proper end tag; sometimes another (misnesting).
                let name = Int.random(in: 0..<6, using: &rng) == 0 ? containers.randomElement(using: &rng)! : open.removeLast()
                out += "</\(name)>"
            case 5:
                out += plainPieces.randomElement(using: &rng)!
            default:
                let n = Int.random(in: 1...6, using: &rng)
                out += (0..<n).map { _ in String(words.randomElement(using: &rng)!) }.joined(separator: " ")
                if Bool.random(using: &rng) { out += " " }
            }
        }
        return out
    }

    /// The direct path gives libxml2's text whenever it takes a fragment, and takes most plain ones.
    @Test func directPathMatchesLibxml2() {
        let env = ProcessInfo.processInfo.environment
        let samples = Int(env["FEEDWATCH_HTML_SAMPLES"] ?? "") ?? 3_000
        let converter = HTMLTextConverter()
        var rng = SplitMix64(seed: UInt64(env["FEEDWATCH_HTML_SEED"] ?? "") ?? 7)
        var taken = 0, failures = 0
        for k in 0..<(2 * samples) {
            var html = k % 2 == 0 ? Self.plainHTML(&rng) : Self.randomHTML(&rng)
            html.withUTF8 { p in
                guard let direct = converter.directPass(utf8: p) else { return }
                taken += 1
                let reference = converter.referencePass(utf8: p)
                if direct != reference {
                    failures += 1
                    let path = "/tmp/feedwatch-html-direct-\(failures).html"
                    try? Data(p).write(to: URL(fileURLWithPath: path))
                    Issue.record("direct and reference text differ; input written to \(path):\n\(direct ?? "nil")\n\(reference ?? "nil")")
                }
            }
        }
        #expect(taken > samples / 3)
    }

    @Test func directPathDeclinesWhatLibxml2MustJudge() {
        let converter = HTMLTextConverter()
        for html in ["a < b", "<p>x</b>", "<b>x<p>y</b>z</p>", "<table><tr><td>x</td></tr></table>", "<pre>\nx</pre>",
                     "x &copy y", "<p>x</p></br>", "<script>x</script>", "<!DOCTYPE html><p>x", "a\u{0C}b", "<li>a<li>b</ul>"] {
            var bytes = html
            bytes.withUTF8 { #expect(converter.directPass(utf8: $0) == nil, "\(html)") }
        }
        var plain = "<p>Caf&eacute; <a href=\"https://x.example/\">link</a><br/>next&nbsp;line</p><!--more--><ul><li>one</li></ul>"
        plain.withUTF8 { #expect(converter.directPass(utf8: $0) == .some("Café link next line one")) }
    }

    @Test func referencesAreDecodedIntoRunsExceptThoseLibxml2MustJudge() throws {
        let words = String(repeating: "plain words here ", count: 20)
        var html = "<p>" + words + "</p><p>caf&eacute; &#8217; and more words</p><p>R&amp;D and more words</p><p>&copy without semicolon</p>"
        try html.withUTF8 { p in
            let s = try #require(HTMLSkeleton(p, entities: HTMLEntities()))
            #expect(s.runs.count == 2)
            #expect(String(decoding: s.arena[s.runs[1]], as: UTF8.self) == "café \u{2019} and more words")
            let skeleton = String(decoding: s.bytes, as: UTF8.self)
            #expect(skeleton.contains("R&amp;D and more words"))
            #expect(skeleton.contains("&copy without semicolon"))
        }
    }

    @Test func irregularTagsStopTheCompaction() throws {
        let words = String(repeating: "plain words here ", count: 20)
        var html = "<p>" + words + "</p><a href=\"unterminated " + words + "<img alt=\"x > y\"/>" + words
        try html.withUTF8 { p in
            let s = try #require(HTMLSkeleton(p, entities: HTMLEntities()))
            #expect(s.runs.count == 1)
            #expect(String(decoding: s.bytes, as: UTF8.self).hasSuffix("<img alt=\"x > y\"/>" + words))
        }
    }

    @Test func fragmentsHoldingPlaceholderCharactersAreNotCompacted() {
        var html = String(repeating: "<p>some text that is long enough</p>", count: 20) + "\u{E000}"
        html.withUTF8 { #expect(HTMLSkeleton($0, entities: HTMLEntities()) == nil) }
    }
}


/// Replays a differential failure: `FEEDWATCH_HTML_REPRO=/tmp/feedwatch-html-diff-N.html swift test --filter replayHTML`.
@Suite struct HTMLSkeletonReplay {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FEEDWATCH_HTML_REPRO"] != nil))
    func replayHTML() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ProcessInfo.processInfo.environment["FEEDWATCH_HTML_REPRO"]!)))
        let converter = HTMLTextConverter()
        bytes.withUnsafeBufferPointer { p in
            let fast = converter.onePass(utf8: p) ?? "nil", reference = converter.referencePass(utf8: p) ?? "nil"
            if fast != reference {
                print("FAST:\n\(fast)\nREFERENCE:\n\(reference)")
                if let s = HTMLSkeleton(p, entities: HTMLEntities()) { print("SKELETON:\n\(String(decoding: s.bytes, as: UTF8.self))") }
            }
            #expect(fast == reference)
        }
    }
}
