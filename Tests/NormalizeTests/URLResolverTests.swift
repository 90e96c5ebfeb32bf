import Testing
@testable import Normalize

@Suite struct URLResolverTests {
    // RFC 3986 §5.4 reference resolution examples, plus what feeds add.
    @Test(arguments: [
        ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"), ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q#s"), ("g#s", "http://a/b/c/g#s"), (";x", "http://a/b/c/;x"),
        ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"), ("./", "http://a/b/c/"), ("..", "http://a/b/"),
        ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../g", "http://a/g"), ("../../../g", "http://a/g"),
        ("/./g", "http://a/g"), ("/../g", "http://a/g"), ("g.", "http://a/b/c/g."), ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"), ("g;x=1/../y", "http://a/b/c/y"), ("g:h", "g:h"),
        ("HTTPS://Example.org/x", "https://Example.org/x"),
    ])
    func rfc3986Examples(reference: String, expected: String) {
        #expect(URLResolver.resolve(reference, against: "http://a/b/c/d;p?q") == expected)
    }

    @Test func cleansWhatPublishersLeave() {
        #expect(URLResolver.resolve("  https://example.org/a b\n/c  ", against: nil) == "https://example.org/a%20b/c")
        #expect(URLResolver.resolve("/café", against: "https://example.org/") == "https://example.org/caf%C3%A9")
        #expect(URLResolver.resolve("/a?x=1&y=2", against: "https://example.org/feed") == "https://example.org/a?x=1&y=2")
    }

    /// Absolute links skip the resolution algorithm; they must come out as it would make them.
    @Test(arguments: [
        "https://example.org/a/b?x=1&y=2#frag", "http://example.org", "http://example.org/", "https://example.org/a/./b",
        "https://example.org/a/../b", "https://example.org/.well-known/x", "HTTPS://example.org/x", "Https://example.org/x",
        "https://example.org/a b", "https://example.org/caf\u{E9}", "https://example.org/a\tb", " https://example.org/x",
        "https://example.org/x ", "https://example.org/a|b", "https://example.org/{x}", "https://example.org/%7Bx%7D",
        "https://user@example.org:8443/p;q=1?r=.s", "http://[::1]:8080/x", "https://example.org/a.b/c..d", "https:",
        "https://", "http:/x", "ftp://example.org/x", "https://example.org/\"q\"", "https://example.org/a<b>",
    ])
    func shortcutAgreesWithTheAlgorithm(url: String) {
        #expect(URLResolver.resolve(url, against: "https://base.example/feed") == URLResolver.resolveInFull(url, against: "https://base.example/feed"))
        #expect(URLResolver.resolve(url, against: nil) == URLResolver.resolveInFull(url, against: nil))
    }

    @Test func withoutABaseARelativeReferenceStaysRelative() {
        #expect(URLResolver.resolve("/a", against: nil) == "/a")
        #expect(URLResolver.resolve("   ", against: nil) == nil)
        #expect(URLResolver.isAbsolute("https://x/") && !URLResolver.isAbsolute("/x"))
    }

    @Test func fileURLs() {
        #expect(URLResolver.fileURL(path: "/tmp/my feeds/a.xml") == "file:///tmp/my%20feeds/a.xml")
        #expect(URLResolver.resolve("b.html", against: "file:///tmp/x/a.xml") == "file:///tmp/x/b.html")
    }

    @Test func xmlBaseChains() {
        let outer = URLResolver.resolve("https://example.org/blog/", against: "https://feeds.example.org/feed.xml")
        let inner = URLResolver.resolve("2020/", against: outer)
        #expect(URLResolver.resolve("post.html", against: inner) == "https://example.org/blog/2020/post.html")
    }
}

@Suite struct PersonNameTests {
    @Test(arguments: [
        ("isabel@example.org (Isabel Togoh)", "Isabel Togoh"),
        ("isabel@example.org", "isabel@example.org"),
        ("Isabel Togoh <isabel@example.org>", "Isabel Togoh"),
        ("Isabel Togoh", "Isabel Togoh"),
        ("  Isabel   Togoh ", "Isabel Togoh"),
        ("Someone (the editor)", "Someone (the editor)"),
    ])
    func rssAuthors(raw: String, expected: String) {
        #expect(PersonName.fromRSSAuthor(raw) == expected)
    }
}
