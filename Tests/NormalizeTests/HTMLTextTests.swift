import Testing
import Normalize

@Suite struct HTMLTextTests {
    @Test(arguments: [
        ("<p>Hello</p><p>world</p>", "Hello world"),
        ("facial <b>recognition</b>", "facial recognition"),
        ("one<br>two<br/>three", "one two three"),
        ("a<script>var x = '<p>no</p>';</script>b", "ab"),
        ("<p>Hello</p><script>alert(1)</script><p>Second</p>", "Hello Second"),
        ("<style>p { color: red }</style><p>shown</p>", "shown"),
        ("Caf&eacute; &amp; bar&nbsp;&mdash;&#8217;s &#x263A;", "Café & bar —’s ☺"),
        ("AT&T and Q&A", "AT&T and Q&A"),
        ("  lots \n\t of   space  ", "lots of space"),
        ("&lt;p&gt;double &amp;amp; escaped&lt;/p&gt;", "double & escaped"),
        ("x < y and y > z", "x < y and y > z"),
        ("<div><ul><li>one</li><li>two</li></ul></div>", "one two"),
        ("<p></p>", nil),
        ("", nil),
        ("<!-- comment -->text", "text"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a b"),
        ("unclosed <b>bold <i>italic", "unclosed bold italic"),
    ] as [(String, String?)])
    func converts(html: String, expected: String?) {
        #expect(HTMLTextConverter().plainText(html) == expected)
    }

    @Test func nbspAndOtherUnicodeSpacesCollapse() {
        #expect(HTMLTextConverter().plainText("a\u{00A0}\u{00A0}b\u{2003}c\u{3000}d") == "a b c d")
    }

    @Test func readsLessThanBeforeALetterAsATagAsBrowsersDo() {
        #expect(HTMLTextConverter().plainText("if a < b then") == "if a < b then")
        #expect(HTMLTextConverter().plainText("if a<b then") == "if a")
    }

    @Test func aLeadingScriptOrStyleDoesNotHideTheBody() {
        #expect(HTMLTextConverter().plainText("<script>x()</script>Text <title>t</title>after") == "Text after")
    }
}

@Suite struct TextAccumulatorTests {
    @Test func collapsesAndTrims() {
        #expect(TextAccumulator.collapse("  a \u{2028} b\u{0085}c  ") == "a b c")
        #expect(TextAccumulator.collapse(" \n\t ") == nil)
    }

    @Test func markupDetection() {
        #expect(Markup.containsTag(Array("Hello <b>x</b>".utf8)))
        #expect(!Markup.containsTag(Array("x < y".utf8)))
        #expect(Markup.containsKnownTag(Array("<p>x".utf8)))
        #expect(!Markup.containsKnownTag(Array("<notatag>x".utf8)))
    }
}
