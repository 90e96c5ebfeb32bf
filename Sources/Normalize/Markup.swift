import Glibc

/// What HTML elements mean for plain text. Shared by the HTML converter and by the feed parser,
/// which meets the same elements inline in Atom `xhtml` content.
public enum Markup {
    public enum Role: Sendable { case inline, block, skipped }

    /// Elements whose boundaries separate words ("a<p>b" is "a b", while "a<b>b</b>" is "ab").
    static let blockElements: [String] = [
        "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hgroup", "hr", "iframe", "img", "legend", "li", "main", "nav", "ol",
        "option", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul", "video", "audio", "source", "picture",
    ]

    /// Elements whose text is never content.
    static let skippedElements: [String] = ["script", "style", "template", "head", "noscript", "title"]

    /// Roles by a key made of the name's bytes: this runs for every tag of every HTML field, so it
    /// must not build a `String` per tag.
    private static let roles: [UInt64: Role] = {
        var table: [UInt64: Role] = [:]
        for name in blockElements { table[key(Array(name.utf8))!] = .block }
        for name in skippedElements { table[key(Array(name.utf8))!] = .skipped }
        return table
    }()

    /// The lower-cased name packed into 8 bytes (names we classify are at most 10 long, and the
    /// length is mixed in so "figcaption" and a 12-letter lookalike differ); `nil` for longer names.
    @inline(__always)
    private static func key<C: Collection<UInt8>>(_ bytes: C) -> UInt64? {
        guard bytes.count <= 12 else { return nil }
        var k = UInt64(bytes.count)
        for b in bytes { k = (k &* 31) &+ UInt64(b | 0x20) }
        return k
    }

    public static func role(of name: UnsafePointer<UInt8>?) -> Role {
        guard let name else { return .inline }
        let n = strlen12(name)
        guard let k = key(UnsafeBufferPointer(start: name, count: n)) else { return .inline }
        return roles[k] ?? .inline
    }

    /// The role of the element named by `name` (any case), as bytes.
    static func role(ofName name: UnsafeBufferPointer<UInt8>) -> Role {
        guard let k = key(name) else { return .inline }
        return roles[k] ?? .inline
    }

    /// `key` for a name written in the source (so the direct converter matches its own list).
    static func nameKey(_ name: UnsafeBufferPointer<UInt8>) -> UInt64? { key(name) }

    public static func role(of name: String) -> Role {
        guard let k = key(name.utf8) else { return .inline }
        return roles[k] ?? .inline
    }

    /// Length of a C string, stopping at 13 (anything longer is not a name we classify).
    private static func strlen12(_ p: UnsafePointer<UInt8>) -> Int {
        var n = 0
        while n < 13 && p[n] != 0 { n += 1 }
        return n
    }

    /// Tags seen in escaped HTML; a text that still holds one of these after conversion was
    /// escaped twice.
    static let telltaleTags: Set<String> = [
        "a", "b", "i", "u", "p", "br", "em", "strong", "div", "span", "img", "ul", "ol", "li", "h1", "h2",
        "h3", "h4", "h5", "h6", "blockquote", "table", "tr", "td", "figure", "iframe", "hr", "pre", "code",
        "small", "sup", "sub", "font", "section", "article", "header", "footer", "nav", "center", "script",
        "style",
    ]

    /// Whether `text` holds something like `<p>`, `</a>` or `<img src=…>` with a common HTML name.
    public static func containsKnownTag(_ text: [UInt8]) -> Bool {
        scanTags(text) { telltaleTags.contains($0) }
    }

    /// Whether `text` holds anything shaped like a tag (`<name`, `</name`): the contract's test for
    /// whether an RSS title is HTML.
    public static func containsTag(_ text: [UInt8]) -> Bool {
        scanTags(text) { _ in true }
    }

    private static func scanTags(_ bytes: [UInt8], _ accept: (String) -> Bool) -> Bool {
        bytes.withUnsafeBufferPointer { scanTags($0, accept) }
    }

    private static func scanTags(_ t: UnsafeBufferPointer<UInt8>, _ accept: (String) -> Bool) -> Bool {
        guard let base = t.baseAddress else { return false }
        var i = 0
        let n = t.count
        while i < n {
            guard let lt = memchr(base + i, 0x3C, n - i) else { return false }
            i = base.distance(to: lt.assumingMemoryBound(to: UInt8.self))
            var j = i + 1
            if j < n && t[j] == 0x2F { j += 1 }
            let nameStart = j
            while j < n, isAlnum(t[j]), j - nameStart < 12 { j += 1 }
            if j > nameStart, isAlpha(t[nameStart]), j < n,
               t[j] == 0x3E || t[j] == 0x20 || t[j] == 0x2F || t[j] == 0x0A || t[j] == 0x09 {
                let name = String(decoding: UnsafeBufferPointer(rebasing: t[nameStart..<j]), as: UTF8.self).lowercased()
                if accept(name) { return true }
            }
            i += 1
        }
        return false
    }

    @inline(__always) private static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always) private static func isAlnum(_ b: UInt8) -> Bool { isAlpha(b) || (b >= 0x30 && b <= 0x39) }
}
