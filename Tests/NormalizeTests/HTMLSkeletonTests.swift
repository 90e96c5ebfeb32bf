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
